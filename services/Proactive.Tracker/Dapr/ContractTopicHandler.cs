using System.Text.Json;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Dapr;

/// <summary>
/// The contract's topics ("orders", "shipments") as Dapr delivers them: the same reader and the
/// same handler as the standalone ingest. Bad input is DROP (Dapr parks it on the dead-letter topic).
/// </summary>
public sealed class ContractTopicHandler(string topic, OrderTracker tracker, TrackerMetrics metrics) : ITopicHandler
{
    public string Topic => topic;

    public async Task<TopicOutcome> HandleAsync(JsonElement cloudEvent, CancellationToken cancellationToken)
    {
        var read = CloudEventReader.Read(cloudEvent, topic);
        if (read.Rejection is { } rejection)
        {
            metrics.Refused(cloudEvent);
            return TopicOutcome.Drop(rejection.Summary);
        }

        await tracker.HandleAsync(read.Event!, cancellationToken, "dapr");
        return TopicOutcome.Success;
    }
}
