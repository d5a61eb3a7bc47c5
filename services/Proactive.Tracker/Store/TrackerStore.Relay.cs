using Dapper;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Publishing;

namespace Proactive.Tracker.Store;

public sealed partial class TrackerStore
{
    /// <summary>
    /// Marks a relay round's published rows published and forgets any failures they had, in one
    /// transaction: one commit per round instead of one per row (on SQLite every commit queues on
    /// the one write gate, beside intake).
    /// </summary>
    public Task MarkPublishedAsync(IReadOnlyCollection<OutgoingEvent> messages, DateTimeOffset at, CancellationToken ct) =>
        messages.Count == 0
            ? Task.CompletedTask
            : database.WriteAsync(
                async (c, tx) =>
                {
                    await c.ExecuteAsync(
                        $"UPDATE tracker_outbox SET published_at = @at WHERE id {database.Dialect.AnyOf("ids")}",
                        new { ids = database.Dialect.List(messages.Select(m => m.OutboxId)), at = at.ToMs() },
                        tx);
                    await c.ExecuteAsync(
                        $"DELETE FROM {ItemFailures.Table} WHERE queue = @queue AND item_key {database.Dialect.AnyOf("keys")}",
                        new { queue = OutboxRelay.Queue, keys = database.Dialect.List(messages.Select(m => m.EventId)) },
                        tx);
                    return 0;
                },
                ct,
                "MarkPublishedAsync");
}
