using System.Diagnostics.Metrics;

namespace Proactive.Notifier.Voice;

/// <summary>The customer's voice on Notifier's meter: items recorded, and the topics they were about. Tags are bounded (names from fixed lists).</summary>
public sealed class VoiceMetrics
{
    private readonly Counter<long> items;
    private readonly Counter<long> topics;

    public VoiceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NotifierMetrics.MeterName);
        items = meter.CreateCounter<long>(
            "proactive.notifier.voice.items", "{item}", "Customers' words recorded for analysis, by source (sms_reply, sms_survey, email_survey) and sentiment.");
        topics = meter.CreateCounter<long>(
            "proactive.notifier.voice.topics", "{topic}", "Topics of the words recorded (one per topic of an item), by topic and sentiment.");
    }

    public void Recorded(VoiceItem item)
    {
        items.Add(1, new KeyValuePair<string, object?>("source", item.Source), new KeyValuePair<string, object?>("sentiment", item.Sentiment));
        foreach (var topic in item.Topics)
        {
            topics.Add(1, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("sentiment", item.Sentiment));
        }
    }
}
