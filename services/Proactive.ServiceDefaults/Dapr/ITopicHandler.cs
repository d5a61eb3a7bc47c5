using CloudNative.CloudEvents;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// Handles the events of one subscribed topic, given as the CloudEvent daprd delivered (read by the
/// CloudEvents SDK; data as the payload's bytes). Delivery is at least once, so handlers are idempotent.
/// </summary>
public interface ITopicHandler
{
    string Topic { get; }

    /// <summary>
    /// Why this event would be refused (DROP) now, without handling it; null when it would not be
    /// (or the handler cannot tell). Tells why a dead letter came back (<see cref="DaprAppCallback"/>).
    /// </summary>
    string? Refusal(CloudEvent cloudEvent) => null;

    /// <summary>One event. An item failure (the event's own, see <see cref="ItemFailures.IsItemFailure"/>) is thrown; the callback holds the event.</summary>
    Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken);

    /// <summary>
    /// The readable events of a bulk delivery at once, answered one outcome each in their order:
    /// an item failure as <see cref="TopicOutcome.Failed"/> (held alone by the callback); when the
    /// store is unavailable or <paramref name="cancellationToken"/> fires, RETRY for each event not
    /// refused (<see cref="TopicOutcome.Retry(Exception)"/>) — or a throw, and then every event is
    /// delivered again. By default one event after another.
    /// </summary>
    async Task<IReadOnlyList<TopicOutcome>> HandleManyAsync(IReadOnlyList<CloudEvent> cloudEvents, CancellationToken cancellationToken)
    {
        var outcomes = new List<TopicOutcome>(cloudEvents.Count);
        foreach (var cloudEvent in cloudEvents)
        {
            try
            {
                outcomes.Add(await HandleAsync(cloudEvent, cancellationToken));
            }
            catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
            {
                outcomes.Add(TopicOutcome.Failed(e));
            }
        }

        return outcomes;
    }
}
