using System.Data.Common;
using Dapper;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>The episode changes already processed, and the newest sequence each order has seen.</summary>
public sealed class InboxRows
{
    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal InboxRows(DbConnection connection, DbTransaction? transaction) => (c, tx) = (connection, transaction);

    /// <summary>Records (source, id) as processed; false when it already was.</summary>
    public async Task<bool> TryMarkProcessedAsync(string source, string eventId, DateTimeOffset now) =>
        await c.ExecuteAsync(
            "INSERT INTO notifier_inbox (source, event_id, received_at) VALUES (@source, @eventId, @now) ON CONFLICT DO NOTHING",
            new { source, eventId, now = now.ToMs() },
            tx) == 1;

    /// <summary>Moves the order's high-water mark to <paramref name="sequence"/>; false when the news is older than what was seen.</summary>
    public async Task<bool> TryAdvanceSequenceAsync(string orderId, long sequence) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_orders (order_id, last_sequence) VALUES (@orderId, @sequence)
            ON CONFLICT (order_id) DO UPDATE SET last_sequence = excluded.last_sequence
            WHERE notifier_orders.last_sequence < excluded.last_sequence
            """,
            new { orderId, sequence },
            tx) == 1;

    /// <summary>
    /// Forgets processed (source, id) pairs older than the retention window. A change redelivered
    /// after that is still ignored: the order's sequence high-water mark is kept for good.
    /// </summary>
    public Task<int> PruneAsync(DateTimeOffset cutoff) =>
        c.ExecuteAsync("DELETE FROM notifier_inbox WHERE received_at < @cutoff", new { cutoff = cutoff.ToMs() }, tx);
}
