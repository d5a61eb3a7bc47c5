using System.Runtime.ExceptionServices;
using CloudNative.CloudEvents;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Queues;
using Proactive.Tracker.Events;
using Proactive.Tracker.Intake;

namespace Proactive.Tracker.Dapr;

/// <summary>
/// The contract's topics ("orders", "shipments") as Dapr delivers them: the same reader and the
/// same handler as the standalone ingest. Bad input is DROP (Dapr parks it on the dead-letter
/// topic), never RETRY. No rate limit here: the broker is the buffer, and Dapr's bulk size and
/// resiliency policy pace the deliveries. A delivery, single or bulk, shares a commit with the
/// others arriving at the same time (<see cref="IntakeBatcher"/>).
/// </summary>
public sealed class ContractTopicHandler(string topic, IntakeBatcher batcher, EventIntake intake, TrackerMetrics metrics) : ITopicHandler
{
    public string Topic => topic;

    public string? Refusal(CloudEvent cloudEvent) => intake.Read(cloudEvent, topic).Rejection?.Summary;

    public async Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var read = Read(cloudEvent);
        if (read.Event is not { } e)
        {
            return read.Refusal!;
        }

        if ((await batcher.HandleAsync(e, cancellationToken, "dapr")).Failure is { } failure)
        {
            // The event's own failure, thrown as it always was, for the callback to hold.
            ExceptionDispatchInfo.Throw(failure);
        }

        return TopicOutcome.Success;
    }

    public async Task<IReadOnlyList<TopicOutcome>> HandleManyAsync(IReadOnlyList<CloudEvent> cloudEvents, CancellationToken cancellationToken)
    {
        var outcomes = new TopicOutcome[cloudEvents.Count];
        var admitted = new List<(int Index, InboundEvent Event)>(cloudEvents.Count);
        for (var i = 0; i < cloudEvents.Count; i++)
        {
            var read = Read(cloudEvents[i]);
            if (read.Event is { } e)
            {
                admitted.Add((i, e));
            }
            else
            {
                outcomes[i] = read.Refusal!;
            }
        }

        if (admitted.Count == 0)
        {
            return outcomes;
        }

        try
        {
            var results = await batcher.HandleManyAsync([.. admitted.Select(a => a.Event)], cancellationToken, "dapr");
            for (var k = 0; k < admitted.Count; k++)
            {
                outcomes[admitted[k].Index] = results[k].Failure is { } failure ? TopicOutcome.Failed(failure) : TopicOutcome.Success;
            }
        }
        catch (Exception e) when (!ItemFailures.IsItemFailure(e, cancellationToken))
        {
            // The store is unavailable or we are stopping: nothing was stored, every admitted event
            // is delivered again, and the refused ones stay refused.
            foreach (var (index, _) in admitted)
            {
                outcomes[index] = TopicOutcome.Retry(e);
            }
        }

        return outcomes;
    }

    /// <summary>The event as the contract reads it, or its DROP (counted as refused).</summary>
    private (InboundEvent? Event, TopicOutcome? Refusal) Read(CloudEvent cloudEvent)
    {
        var read = intake.Read(cloudEvent, topic);
        if (read.Rejection is { } rejection)
        {
            metrics.Refused(rejection);
            return (null, TopicOutcome.Drop(rejection.Summary));
        }

        return (read.Event!, null);
    }
}
