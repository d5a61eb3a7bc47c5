using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Google.Protobuf;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;
using Proactive.Tracker.Timers;
using DelayEpisodeChanged = Proactive.Contracts.Tracker.V1.DelayEpisodeChanged;

namespace Proactive.Tracker.Store;

/// <summary>Tracker's tables: the events it accepted, episodes, due timers and the outbox.</summary>
public sealed partial class TrackerStore(Database database)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public Database Database => database;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on the order, its lock taken first (on
    /// PostgreSQL, so replicas take turns on one order); commits when it returns. Traced as "db {operation}".
    /// </summary>
    public Task<T> InOrderTransactionAsync<T>(
        string orderId, Func<OrderTransaction, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        InBatchTransactionAsync([orderId], batch => work(batch.For(orderId)), cancellationToken, operation);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on many orders, their locks taken first in one
    /// fixed order (so two batches sharing orders cannot deadlock); writes what the batch holds and
    /// commits when it returns. Traced as "db {operation}".
    /// </summary>
    public Task<T> InBatchTransactionAsync<T>(
        IReadOnlyCollection<string> orderIds, Func<OrderBatch, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        database.WriteAsync(
            async (c, tx) =>
            {
                await database.Dialect.LockAllAsync(c, tx, orderIds);
                var batch = new OrderBatch(c, tx, database.Dialect);
                var result = await work(batch);
                await batch.FlushAsync();
                return result;
            },
            cancellationToken,
            operation);

    /// <summary>
    /// Stores a batch of events and runs <paramref name="work"/> on what was new, in one transaction
    /// on their orders: as <see cref="InBatchTransactionAsync"/>, but on PostgreSQL the orders' locks
    /// are taken in the same round trip as the insert of the events.
    /// </summary>
    public Task<T> InIntakeTransactionAsync<T>(
        IReadOnlyList<InboundEvent> events, DateTimeOffset now, Func<OrderBatch, IReadOnlySet<(string Source, string Id)>, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        database.WriteAsync(
            async (c, tx) =>
            {
                var batch = new OrderBatch(c, tx, database.Dialect);
                var added = await batch.LockAndAddEventsAsync(events, now);
                var result = await work(batch, added);
                batch.CheckEveryStoredEventFolded();
                await batch.FlushAsync();
                return result;
            },
            cancellationToken,
            operation);

    /// <summary>Runs <paramref name="work"/> on a connection of its own, outside any transaction. Traced as "db {operation}".</summary>
    public Task<T> ReadAsync<T>(Func<TrackerReads, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        database.ReadAsync(c => work(new TrackerReads.OnConnection(c)), cancellationToken, operation);

    /// <summary>
    /// Stores the event unless (source, id) is already stored; false for a duplicate. The order's
    /// snapshot is not carried forward here, so the event is stored as in no snapshot (in_snapshot
    /// NULL) and the order's next batch folds it again (<see cref="OrderBatch.LoadAsync"/>).
    /// </summary>
    internal static async Task<bool> TryAddEventAsync(DbConnection c, DbTransaction tx, InboundEvent e, DateTimeOffset now)
    {
        var inserted = await c.ExecuteAsync(
            """
            INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload)
            VALUES (@Source, @Id, @OrderId, @Type, @OccurredAt, @ReceivedAt, @Payload)
            ON CONFLICT (source, event_id) DO NOTHING
            """,
            new
            {
                e.Source,
                e.Id,
                e.OrderId,
                e.Type,
                OccurredAt = e.OccurredAt.ToMs(),
                ReceivedAt = now.ToMs(),
                Payload = StoredPayload.Of(e),
            },
            tx);
        return inserted == 1;
    }

    internal static async Task<List<InboundEvent>> LoadEventsAsync(DbConnection c, DbTransaction? tx, string orderId)
    {
        var rows = await c.QueryAsync<EventRow>(
            "SELECT source, event_id, type, order_id, occurred_at, payload FROM tracker_events WHERE order_id = @orderId",
            new { orderId },
            tx);
        return rows.Select(ToEvent).ToList();
    }

    internal static async Task<List<DelayEpisode>> LoadEpisodesAsync(DbConnection c, DbTransaction? tx, string orderId)
    {
        var rows = await c.QueryAsync<EpisodeRow>(
            "SELECT * FROM tracker_episodes WHERE order_id = @orderId ORDER BY number",
            new { orderId },
            tx);
        return rows.Select(ToEpisode).ToList();
    }

    internal static InboundEvent ToEvent(EventRow r)
    {
        EventTypes.TryGet(r.type, out _, out var descriptor);
        return new InboundEvent(r.source, r.event_id, r.type, r.order_id, UnixTime.FromMs(r.occurred_at), Parser.Parse(r.payload, descriptor));
    }

    internal static DelayEpisode ToEpisode(EpisodeRow r) => new(
        r.episode_id,
        r.order_id,
        (int)r.number,
        Enum.Parse<DelayReason>(r.reason),
        r.exception_code is null ? null : Enum.Parse<CarrierExceptionCode>(r.exception_code),
        UnixTime.FromMs(r.estimated_delivery_at),
        UnixTime.FromMs(r.opened_at),
        UnixTime.FromMs(r.closed_at),
        r.resolution is null ? null : Enum.Parse<Resolution>(r.resolution));

    internal static Task SaveEpisodeAsync(DbConnection c, DbTransaction tx, DelayEpisode e) =>
        c.ExecuteKeptAsync(
            """
            INSERT INTO tracker_episodes (episode_id, order_id, number, reason, exception_code, estimated_delivery_at, opened_at, closed_at, resolution)
            VALUES (@EpisodeId, @OrderId, @Number, @Reason, @ExceptionCode, @Eta, @OpenedAt, @ClosedAt, @Resolution)
            ON CONFLICT (episode_id) DO UPDATE SET
                reason = excluded.reason, exception_code = excluded.exception_code,
                estimated_delivery_at = excluded.estimated_delivery_at,
                closed_at = excluded.closed_at, resolution = excluded.resolution
            """,
            new
            {
                e.EpisodeId,
                e.OrderId,
                e.Number,
                Reason = e.Reason.ToString(),
                ExceptionCode = e.ExceptionCode?.ToString(),
                Eta = e.EstimatedDeliveryAt.ToMs(),
                OpenedAt = e.OpenedAt.ToMs(),
                ClosedAt = e.ClosedAt.ToMs(),
                Resolution = e.Resolution?.ToString(),
            },
            tx);

    internal static Task AddToOutboxAsync(DbConnection c, DbTransaction tx, OutgoingEvent e, DateTimeOffset now) =>
        c.ExecuteKeptAsync(
            """
            INSERT INTO tracker_outbox (event_id, topic, type, partition_key, payload, trace_parent, trace_state, created_at)
            VALUES (@EventId, @Topic, @Type, @PartitionKey, @Payload, @TraceParent, @TraceState, @CreatedAt)
            """,
            new
            {
                e.EventId,
                e.Topic,
                e.Type,
                e.PartitionKey,
                Payload = Formatter.Format(e.Data),
                e.TraceParent,
                e.TraceState,
                CreatedAt = now.ToMs(),
            },
            tx);

    /// <summary>
    /// Unpublished rows that may go now, oldest first: not waiting for a retry nor parked, and the
    /// first unpublished row of their order that is not parked (one order's changes go in order;
    /// a parked one no longer holds the later ones back).
    /// </summary>
    public async Task<List<OutgoingEvent>> UnpublishedAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        var rows = await database.ReadAsync(c => c.QueryAsync<OutboxRow>(
            new CommandDefinition(
                $"""
                SELECT o.* FROM tracker_outbox o
                WHERE o.published_at IS NULL AND {ItemFailures.Ready(OutboxRelay.Queue, "o.event_id")}
                  AND NOT EXISTS (
                      SELECT 1 FROM tracker_outbox e
                      WHERE e.partition_key = o.partition_key AND e.id < o.id AND e.published_at IS NULL
                        AND {ItemFailures.NotParked(OutboxRelay.Queue, "e.event_id")})
                ORDER BY o.id LIMIT @limit
                """,
                new { now = now.ToMs(), limit },
                cancellationToken: ct)), ct);
        return rows.Select(r => new OutgoingEvent(
            r.id,
            r.event_id,
            r.topic,
            r.type,
            r.partition_key,
            Parser.Parse<DelayEpisodeChanged>(r.payload),
            r.trace_parent,
            r.trace_state)).ToList();
    }

    /// <summary>Marks the row published and forgets any failures it had.</summary>
    public Task MarkPublishedAsync(OutgoingEvent message, DateTimeOffset at, CancellationToken ct) =>
        database.WriteAsync(
            async (c, tx) =>
            {
                await c.ExecuteAsync(
                    "UPDATE tracker_outbox SET published_at = @at WHERE id = @OutboxId",
                    new { message.OutboxId, at = at.ToMs() },
                    tx);
                await ItemFailures.ClearAsync(c, tx, OutboxRelay.Queue, message.EventId);
                return 0;
            },
            ct);

    internal static Task SetTimerAsync(DbConnection c, DbTransaction tx, string orderId, DateTimeOffset? dueAt) =>
        dueAt is { } due
            ? c.ExecuteAsync(
                """
                INSERT INTO tracker_timers (order_id, due_at) VALUES (@orderId, @due)
                ON CONFLICT (order_id) DO UPDATE SET due_at = excluded.due_at
                """,
                new { orderId, due = due.ToMs() },
                tx)
            : c.ExecuteAsync("DELETE FROM tracker_timers WHERE order_id = @orderId", new { orderId }, tx);

    /// <summary>Orders whose timer is due at <paramref name="now"/>, earliest first, but for those waiting for a retry or parked.</summary>
    public Task<List<string>> DueTimersAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        database.ReadAsync(
            async c => (await c.QueryAsync<string>(
                new CommandDefinition(
                    $"SELECT order_id FROM tracker_timers t WHERE due_at <= @now AND {ItemFailures.Ready(DueTimerSweep.Queue, "t.order_id")} ORDER BY due_at LIMIT @limit",
                    new { now = now.ToMs(), limit },
                    cancellationToken: ct))).ToList(),
            ct);

    /// <summary>When the sweep next has work: the first timer of an order that never failed, or the next retry of one that did.</summary>
    public Task<DateTimeOffset?> NextTimerDueAsync(CancellationToken ct) =>
        database.ReadAsync(
            async c =>
            {
                var due = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"SELECT due_at FROM tracker_timers t WHERE {ItemFailures.NeverFailed(DueTimerSweep.Queue, "t.order_id")} ORDER BY due_at LIMIT 1",
                    cancellationToken: ct));
                var retry = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"""
                    SELECT MIN(CASE WHEN f.next_attempt_at > t.due_at THEN f.next_attempt_at ELSE t.due_at END)
                    FROM {ItemFailures.Table} f JOIN tracker_timers t ON t.order_id = f.item_key
                    WHERE f.queue = '{DueTimerSweep.Queue}' AND f.parked_at IS NULL
                    """,
                    cancellationToken: ct));
                return UnixTime.FromMs(due is null ? retry : retry is null ? due : Math.Min(due.Value, retry.Value));
            },
            ct);

    /// <summary>How long the oldest due, not parked, timer and outbox row have waited (for the health check).</summary>
    public Task<IReadOnlyList<QueueAge>> OldestDueAsync(DateTimeOffset now, CancellationToken ct) =>
        database.ReadAsync(
            async c =>
            {
                var timer = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"SELECT due_at FROM tracker_timers t WHERE due_at <= @now AND {ItemFailures.NotParked(DueTimerSweep.Queue, "t.order_id")} ORDER BY due_at LIMIT 1",
                    new { now = now.ToMs() },
                    cancellationToken: ct));
                var outbox = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"SELECT created_at FROM tracker_outbox o WHERE published_at IS NULL AND {ItemFailures.NotParked(OutboxRelay.Queue, "o.event_id")} ORDER BY id LIMIT 1",
                    cancellationToken: ct));
                return (IReadOnlyList<QueueAge>)
                [
                    new QueueAge(OutboxRelay.Queue, outbox is { } o ? now - UnixTime.FromMs(o) : null),
                    new QueueAge(DueTimerSweep.Queue, timer is { } t ? now - UnixTime.FromMs(t) : null),
                ];
            },
            ct);

    /// <summary>How far behind the timers and the outbox are (both counts use their indexes).</summary>
    public Task<QueueStats> QueueStatsAsync(DateTimeOffset now, CancellationToken ct) =>
        database.ReadAsync(
            async c =>
            {
                var timers = await c.QuerySingleAsync<(long Count, long? Oldest)>(new CommandDefinition(
                    "SELECT COUNT(*), MIN(due_at) FROM tracker_timers WHERE due_at <= @now", new { now = now.ToMs() }, cancellationToken: ct));
                var outbox = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM tracker_outbox WHERE published_at IS NULL", cancellationToken: ct));
                return new QueueStats(timers.Count, timers.Oldest is { } oldest ? now - UnixTime.FromMs(oldest) : null, outbox);
            },
            ct);

    internal sealed record EventRow(string source, string event_id, string type, string order_id, long occurred_at, string payload);

    internal sealed record EpisodeRow(
        string episode_id,
        string order_id,
        long number,
        string reason,
        string? exception_code,
        long? estimated_delivery_at,
        long opened_at,
        long? closed_at,
        string? resolution);

    private sealed record OutboxRow(
        long id,
        string event_id,
        string topic,
        string type,
        string partition_key,
        string payload,
        string? trace_parent,
        string? trace_state,
        long created_at,
        long? published_at);
}
