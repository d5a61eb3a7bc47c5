using Proactive.Contracts.Tracker.V1;

namespace Proactive.Tracker.Publishing;

/// <summary>A delay-episode change waiting in Tracker's outbox, and what the publisher needs to send it.</summary>
public sealed record OutgoingEvent(
    long OutboxId,
    string EventId,
    string Topic,
    string Type,
    string PartitionKey,
    DelayEpisodeChanged Data,
    string? TraceParent,
    string? TraceState)
{
    public const string Source = "proactive-tracker";
}

/// <summary>
/// Hands an outbox event to whoever consumes it: Notifier in the same process (standalone), or the
/// Dapr sidecar. It may be called again for an event it already delivered (a crash between
/// delivery and bookkeeping), so consumers de-duplicate on (source, id).
/// </summary>
public interface IEpisodePublisher
{
    Task PublishAsync(OutgoingEvent message, CancellationToken cancellationToken);

    /// <summary>
    /// Hands over a relay round at once, in order, all or nothing; false when this publisher takes
    /// events only one at a time (the relay then calls <see cref="PublishAsync"/> for each). A throw
    /// means none was delivered: the relay goes one by one, so a bad event fails alone.
    /// </summary>
    Task<bool> PublishAllAsync(IReadOnlyList<OutgoingEvent> messages, CancellationToken cancellationToken) => Task.FromResult(false);
}
