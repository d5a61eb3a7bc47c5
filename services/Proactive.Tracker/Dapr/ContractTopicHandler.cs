using CloudNative.CloudEvents;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Dapr;

/// <summary>
/// The contract's topics ("orders", "shipments") as Dapr delivers them: the same reader and the
/// same handler as the standalone ingest. Bad input is DROP (Dapr parks it on the dead-letter
/// topic), never RETRY. No rate limit here: the broker is the buffer, and Dapr's bulk size and
/// resiliency policy pace the deliveries.
/// </summary>
public sealed class ContractTopicHandler(string topic, OrderTracker tracker, EventIntake intake, TrackerMetrics metrics) : ITopicHandler
{
    public string Topic => topic;

    public async Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var read = intake.Read(cloudEvent, topic);
        if (read.Rejection is { } rejection)
        {
            metrics.Refused(rejection);
            return TopicOutcome.Drop(rejection.Summary);
        }

        await tracker.HandleAsync(read.Event!, cancellationToken, "dapr");
        return TopicOutcome.Success;
    }
}
