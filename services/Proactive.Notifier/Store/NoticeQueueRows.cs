using System.Data.Common;
using Dapper;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>The dispatch queue seen from outside: how much is due, and when the next notice falls due.</summary>
public sealed class NoticeQueueRows
{
    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal NoticeQueueRows(DbConnection connection, DbTransaction? transaction) => (c, tx) = (connection, transaction);

    /// <summary>
    /// Notices due now and not yet sent (claims whose sender died included), parked ones aside,
    /// and how long the oldest has waited (uses the due index).
    /// </summary>
    public async Task<(long Due, TimeSpan? OldestAge)> StatsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var (count, oldest) = await c.QuerySingleAsync<(long, long?)>(new CommandDefinition(
            $"""
            SELECT COUNT(*), MIN({NoticeSql.DueAt()}) FROM notifier_notices
            WHERE {NoticeSql.Due()} AND {ItemFailures.NotParked(NoticeStore.DispatchQueue, "notice_id")}
            """,
            new { now = now.ToMs() },
            transaction: tx, cancellationToken: ct));
        return (count, oldest is { } at ? now - UnixTime.FromMs(at) : null);
    }

    /// <summary>
    /// When the next notice on <paramref name="channel"/> falls due (or its lease runs out): of
    /// those that never failed, or the next retry of one that did, not before it is due itself.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(Channel channel, CancellationToken ct)
    {
        var due = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"""
            SELECT MIN({NoticeSql.DueAt()}) FROM notifier_notices
            WHERE status IN {NoticeSql.Claimable} AND channel = @channel AND {ItemFailures.NeverFailed(NoticeStore.DispatchQueue, "notice_id")}
            """,
            new { channel = channel.ToString() },
            transaction: tx, cancellationToken: ct));
        var retry = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"""
            SELECT MIN(CASE WHEN f.next_attempt_at > {NoticeSql.DueAt("n.")} THEN f.next_attempt_at ELSE {NoticeSql.DueAt("n.")} END)
            FROM {ItemFailures.Table} f JOIN notifier_notices n ON n.notice_id = f.item_key
            WHERE f.queue = '{NoticeStore.DispatchQueue}' AND f.parked_at IS NULL AND n.channel = @channel AND n.status IN {NoticeSql.Claimable}
            """,
            new { channel = channel.ToString() },
            transaction: tx, cancellationToken: ct));
        return UnixTime.FromMs(due is null ? retry : retry is null ? due : Math.Min(due.Value, retry.Value));
    }
}
