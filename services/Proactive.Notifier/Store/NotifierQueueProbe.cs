using Proactive.ServiceDefaults.Queues;

namespace Proactive.Notifier.Store;

/// <summary>Notifier's queue for the health check: notices due and not yet sent.</summary>
internal sealed class NotifierQueueProbe(NoticeStore store) : IQueueProbe
{
    public async Task<IReadOnlyList<QueueAge>> OldestDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        [new QueueAge(NoticeStore.DispatchQueue, (await store.QueueStatsAsync(now, cancellationToken)).OldestAge)];
}
