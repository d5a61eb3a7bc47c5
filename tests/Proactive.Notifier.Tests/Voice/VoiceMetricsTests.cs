using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>The voice counters: one item by source and sentiment, one count per topic.</summary>
public sealed class VoiceMetricsTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> measured = [];

    public VoiceMetricsTests()
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name.StartsWith("proactive.notifier.voice.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
    }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }

    [Fact]
    public void AnItemCountsOnceBySourceAndSentimentAndOncePerTopic()
    {
        var metrics = new VoiceMetrics(services.GetRequiredService<IMeterFactory>());
        var item = VoiceRecorder.Classified(new VoiceInput("twilio:SM1", VoiceSource.SmsSurvey, "A-1", "C-1", 2, "4 늦었지만 알려줘서 고마워요", "ko-KR", DateTimeOffset.UnixEpoch))!;

        metrics.Recorded(item);

        var items = measured.Where(m => m.Instrument == "proactive.notifier.voice.items").ShouldHaveSingleItem();
        (items.Value, items.Tags["source"], items.Tags["sentiment"]).ShouldBe((1L, "sms_survey", item.Sentiment));
        measured.Where(m => m.Instrument == "proactive.notifier.voice.topics").Select(m => (string)m.Tags["topic"]!).ShouldBe(item.Topics);
        item.Topics.Count.ShouldBeGreaterThan(1);
    }

    [Fact]
    public void ABlankTextIsNoItem() => VoiceRecorder.Classified(new VoiceInput("x", VoiceSource.SmsReply, null, null, 3, " \t ", "en", DateTimeOffset.UnixEpoch)).ShouldBeNull();
}
