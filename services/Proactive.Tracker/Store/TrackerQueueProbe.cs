using Proactive.ServiceDefaults.Queues;

namespace Proactive.Tracker.Store;

/// <summary>Tracker's queues for the health check: the outbox and the due timers.</summary>
internal sealed class TrackerQueueProbe(TrackerStore store) : IQueueProbe
{
    public Task<IReadOnlyList<QueueAge>> OldestDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        store.OldestDueAsync(now, cancellationToken);
}
