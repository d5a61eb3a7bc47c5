using System.Data.Common;
using Dapper;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.ServiceDefaults.Queues;

/// <summary>One item's failures as recorded: retrying (a next attempt time) or parked.</summary>
public sealed record ItemFailure(
    long Id,
    string Queue,
    string OrderId,
    string ItemKey,
    string Error,
    int Attempts,
    DateTimeOffset FirstFailedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? ParkedAt,
    string? Payload)
{
    public bool IsParked => ParkedAt is not null;
}

/// <summary>
/// The one mechanism every queue uses to isolate a failing item: each failure of an item counts
/// against that item only, and it is tried again after an exponential backoff; after
/// <see cref="QueueOptions.MaxAttempts"/> failures it is parked (the dead letters are the rows
/// with <c>parked_at</c>) until someone retries it. A queue skips its items that are waiting for
/// their next attempt or parked (<see cref="Ready"/>), so other orders never wait behind one.
/// A store outage is not the item's failure (<see cref="IsItemFailure"/>): nothing is counted.
/// </summary>
public sealed partial class ItemFailures(
    Database database,
    QueueMetrics metrics,
    TimeProvider time,
    IOptions<QueueOptions> options,
    ILogger<ItemFailures> logger)
{
    public const string Table = "queue_item_failures";

    /// <summary>
    /// The table, created by each module's migrations (both may share one database). A released
    /// migration step: never change this text, add a step instead.
    /// </summary>
    public const string Schema =
        """
        CREATE TABLE IF NOT EXISTS queue_item_failures (
            id {{id}},
            queue TEXT NOT NULL,
            item_key TEXT NOT NULL,
            order_id TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            first_failed_at BIGINT NOT NULL,
            last_failed_at BIGINT NOT NULL,
            next_attempt_at BIGINT NULL,
            parked_at BIGINT NULL,
            error TEXT NOT NULL,
            payload TEXT NULL,
            UNIQUE (queue, item_key));
        CREATE INDEX IF NOT EXISTS ix_queue_item_failures_parked ON queue_item_failures (parked_at, queue);
        """;

    private const int MaxErrorLength = 2000;

    private const string Columns = "id, queue, item_key, order_id, attempts, first_failed_at, next_attempt_at, parked_at, error, payload";

    public Database Database => database;

    /// <summary>
    /// SQL condition: the item whose key is <paramref name="keyColumn"/> may be worked on at
    /// <c>@now</c> (it is not waiting for its next attempt, nor parked).
    /// </summary>
    public static string Ready(string queue, string keyColumn) =>
        $"NOT EXISTS (SELECT 1 FROM {Table} f WHERE f.queue = '{queue}' AND f.item_key = {keyColumn} AND (f.parked_at IS NOT NULL OR f.next_attempt_at > @now))";

    /// <summary>SQL condition: the item is not parked.</summary>
    public static string NotParked(string queue, string keyColumn) =>
        $"NOT EXISTS (SELECT 1 FROM {Table} p WHERE p.queue = '{queue}' AND p.item_key = {keyColumn} AND p.parked_at IS NOT NULL)";

    /// <summary>SQL condition: the item has no failure recorded at all.</summary>
    public static string NeverFailed(string queue, string keyColumn) =>
        $"NOT EXISTS (SELECT 1 FROM {Table} f WHERE f.queue = '{queue}' AND f.item_key = {keyColumn})";

    /// <summary>
    /// Whether <paramref name="e"/> is the item's own failure, to be counted against it: not a
    /// shutdown, not the store being unavailable, and not the way out being down (the Dapr
    /// sidecar or a broker unreachable): then every item would fail alike, so none is counted and
    /// the whole round is tried again later.
    /// </summary>
    public static bool IsItemFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && !Causes(e).Any(IsOutage);

    private static bool IsOutage(Exception e) => Database.IsUnavailable(e) || e switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted,
        HttpRequestException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    /// <summary>The exception and those it wraps (a DaprException wraps the gRPC error).</summary>
    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }

    /// <summary>The item succeeded: forget its failures (in the transaction that recorded the success).</summary>
    public static Task ClearAsync(DbConnection c, DbTransaction tx, string queue, string itemKey) =>
        c.ExecuteAsync($"DELETE FROM {Table} WHERE queue = @queue AND item_key = @itemKey", new { queue, itemKey }, tx);

    /// <summary>Many items succeeded, in one statement.</summary>
    public static Task ClearAsync(DbConnection c, DbTransaction tx, SqlDialect dialect, string queue, IReadOnlyCollection<string> itemKeys) =>
        c.ExecuteAsync(ClearStatement(dialect, "queue", "itemKeys"), new { queue, itemKeys = dialect.List(itemKeys) }, tx);

    /// <summary>The statement that forgets many items' failures, for a caller that sends it with others; its parameters are named.</summary>
    public static string ClearStatement(SqlDialect dialect, string queueParameter, string itemKeysParameter) =>
        $"DELETE FROM {Table} WHERE queue = @{queueParameter} AND item_key {dialect.AnyOf(itemKeysParameter)}";

    public Task ClearAsync(string queue, string itemKey, CancellationToken ct) =>
        database.WriteAsync(
            async (c, tx) =>
            {
                await ClearAsync(c, tx, queue, itemKey);
                return 0;
            },
            ct);

    /// <summary>
    /// Counts one failure against the item: schedules its next attempt, or parks it when it has
    /// had its last one (<paramref name="park"/> parks it now, when trying again could do harm).
    /// <paramref name="payload"/> is what is needed to try again when the item lives nowhere else.
    /// </summary>
    public async Task<ItemFailure> RecordAsync(
        string queue, string orderId, string itemKey, Exception error, CancellationToken ct, string? payload = null, bool park = false)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        var text = Describe(error);
        var failure = await database.WriteAsync(
            async (c, tx) =>
            {
                // Counted in the row itself, so two replicas failing the same item both count.
                var attempts = await c.ExecuteScalarAsync<long>(
                    $"""
                    INSERT INTO {Table} (queue, item_key, order_id, attempts, first_failed_at, last_failed_at, next_attempt_at, parked_at, error, payload)
                    VALUES (@queue, @itemKey, @orderId, 1, @now, @now, NULL, NULL, @text, @payload)
                    ON CONFLICT (queue, item_key) DO UPDATE SET
                        attempts = {Table}.attempts + 1, last_failed_at = excluded.last_failed_at,
                        error = excluded.error, payload = COALESCE(excluded.payload, {Table}.payload)
                    RETURNING attempts
                    """,
                    new
                    {
                        queue,
                        itemKey,
                        orderId,
                        now = now.ToMs(),
                        text,
                        payload = payload?.Replace("\0", "\\u0000", StringComparison.Ordinal),
                    },
                    tx);
                var parks = park || RetrySchedule.Parks((int)attempts, o);
                var next = parks ? (DateTimeOffset?)null : now + RetrySchedule.Delay((int)attempts, o);
                var row = await c.QuerySingleAsync<Row>(
                    $"UPDATE {Table} SET next_attempt_at = @next, parked_at = @parkedAt WHERE queue = @queue AND item_key = @itemKey RETURNING {Columns}",
                    new { queue, itemKey, next = next.ToMs(), parkedAt = parks ? now.ToMs() : (long?)null },
                    tx);
                return row.ToFailure();
            },
            ct);

        metrics.Failed(queue);
        if (failure.IsParked)
        {
            metrics.Parked(queue);
            LogParked(logger, queue, failure.OrderId, failure.ItemKey, failure.Attempts, failure.Error);
            await RefreshAsync(ct);
        }
        else
        {
            LogRetrying(logger, queue, failure.OrderId, failure.ItemKey, failure.Attempts, failure.NextAttemptAt!.Value, failure.Error);
        }

        return failure;
    }

    /// <summary>Of <paramref name="itemKeys"/>, those with failures recorded (to clear them once they succeed).</summary>
    public Task<HashSet<string>> FailingAsync(string queue, IReadOnlyCollection<string> itemKeys, CancellationToken ct) =>
        itemKeys.Count == 0
            ? Task.FromResult(new HashSet<string>())
            : database.ReadAsync(
                async c => (await c.QueryAsync<string>(new CommandDefinition(
                    $"SELECT item_key FROM {Table} WHERE queue = @queue AND item_key {database.Dialect.AnyOf("itemKeys")}",
                    new { queue, itemKeys = database.Dialect.List(itemKeys) },
                    cancellationToken: ct))).ToHashSet(),
                ct);

    /// <summary>
    /// The earliest next attempt, still to come, of a retrying item of <paramref name="queue"/>. One
    /// whose time has passed was either taken this round or is held behind another item: waking
    /// for it again at once would only spin.
    /// </summary>
    public Task<DateTimeOffset?> NextAttemptAsync(string queue, DateTimeOffset now, CancellationToken ct) =>
        database.ReadAsync(
            async c => UnixTime.FromMs(await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"SELECT MIN(next_attempt_at) FROM {Table} WHERE queue = @queue AND parked_at IS NULL AND next_attempt_at > @now",
                new { queue, now = now.ToMs() },
                cancellationToken: ct))),
            ct);

    /// <summary>Items that live only here (a payload) and whose next attempt has come, of <paramref name="queues"/>.</summary>
    public Task<List<ItemFailure>> DueWithPayloadAsync(IReadOnlyCollection<string> queues, DateTimeOffset now, int limit, CancellationToken ct) =>
        database.ReadAsync(
            async c => (await c.QueryAsync<Row>(new CommandDefinition(
                $"""
                SELECT {Columns} FROM {Table}
                WHERE parked_at IS NULL AND next_attempt_at <= @now AND payload IS NOT NULL AND queue {database.Dialect.AnyOf("queues")}
                ORDER BY next_attempt_at, id LIMIT @limit
                """,
                new { now = now.ToMs(), queues = database.Dialect.List(queues), limit },
                cancellationToken: ct))).Select(r => r.ToFailure()).ToList(),
            ct);

    public Task<DateTimeOffset?> NextWithPayloadAsync(IReadOnlyCollection<string> queues, CancellationToken ct) =>
        database.ReadAsync(
            async c => UnixTime.FromMs(await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"SELECT MIN(next_attempt_at) FROM {Table} WHERE parked_at IS NULL AND payload IS NOT NULL AND queue {database.Dialect.AnyOf("queues")}",
                new { queues = database.Dialect.List(queues) },
                cancellationToken: ct))),
            ct);

    /// <summary>Every item of <paramref name="queues"/>, retrying or parked, oldest first.</summary>
    public Task<List<ItemFailure>> OfQueuesAsync(IReadOnlyCollection<string> queues, CancellationToken ct) =>
        database.ReadAsync(
            async c => (await c.QueryAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM {Table} WHERE queue {database.Dialect.AnyOf("queues")} ORDER BY first_failed_at, id",
                new { queues = database.Dialect.List(queues) },
                cancellationToken: ct))).Select(r => r.ToFailure()).ToList(),
            ct);

    public Task<ItemFailure?> FindAsync(long id, CancellationToken ct) =>
        database.ReadAsync(
            async c => (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM {Table} WHERE id = @id", new { id }, cancellationToken: ct)))?.ToFailure(),
            ct);

    public Task<List<ItemFailure>> ParkedAsync(CancellationToken ct) =>
        database.ReadAsync(
            async c => (await c.QueryAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM {Table} WHERE parked_at IS NOT NULL ORDER BY parked_at, id",
                cancellationToken: ct))).Select(r => r.ToFailure()).ToList(),
            ct);

    /// <summary>Parked items per queue; also what the <c>proactive.parked</c> gauge reports from now on.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RefreshAsync(CancellationToken ct)
    {
        var counts = await database.ReadAsync(
            async c => (await c.QueryAsync<(string Queue, long Count)>(new CommandDefinition(
                $"SELECT queue, COUNT(*) FROM {Table} WHERE parked_at IS NOT NULL GROUP BY queue",
                cancellationToken: ct))).ToDictionary(r => r.Queue, r => r.Count),
            ct);
        metrics.ParkedNow(counts);
        return counts;
    }

    /// <summary>
    /// Puts parked items back on their queues with their attempts reset: one (<paramref name="id"/>)
    /// or all. An item that lives in its queue's own table is simply no longer held back; one that
    /// lives only here (a Dapr event) is due again at once. Returns how many were parked.
    /// </summary>
    public async Task<int> RetryAsync(long? id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var retried = await database.WriteAsync(
            async (c, tx) =>
            {
                var which = id is null ? "" : " AND id = @id";
                var reset = await c.ExecuteAsync(
                    $"UPDATE {Table} SET attempts = 0, parked_at = NULL, next_attempt_at = @now WHERE parked_at IS NOT NULL AND payload IS NOT NULL{which}",
                    new { now = now.ToMs(), id },
                    tx);
                return reset + await c.ExecuteAsync($"DELETE FROM {Table} WHERE parked_at IS NOT NULL AND payload IS NULL{which}", new { id }, tx);
            },
            ct);
        if (retried > 0)
        {
            LogRetried(logger, retried);
            await RefreshAsync(ct);
        }

        return retried;
    }

    /// <summary>The error as stored and shown: its type and message, contact details masked, bounded.</summary>
    public static string Describe(Exception e)
    {
        var text = Redact.ContactDetails($"{e.GetType().Name}: {e.Message}").Replace("\0", "\\0", StringComparison.Ordinal);
        if (text.Length <= MaxErrorLength)
        {
            return text;
        }

        // Never half a surrogate pair: PostgreSQL refuses to store it.
        return text[..(char.IsHighSurrogate(text[MaxErrorLength - 1]) ? MaxErrorLength - 1 : MaxErrorLength)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: item {ItemKey} of order {OrderId} failed (attempt {Attempts}); next attempt at {NextAttemptAt}: {Error}")]
    private static partial void LogRetrying(ILogger logger, string queue, string orderId, string itemKey, int attempts, DateTimeOffset nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: item {ItemKey} of order {OrderId} parked after {Attempts} failed attempts: {Error}")]
    private static partial void LogParked(ILogger logger, string queue, string orderId, string itemKey, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} parked items put back on their queues")]
    private static partial void LogRetried(ILogger logger, int count);

    private sealed record Row(
        long id, string queue, string item_key, string order_id, long attempts, long first_failed_at, long? next_attempt_at, long? parked_at, string error, string? payload)
    {
        public ItemFailure ToFailure() => new(
            id, queue, order_id, item_key, error, (int)attempts, UnixTime.FromMs(first_failed_at), UnixTime.FromMs(next_attempt_at), UnixTime.FromMs(parked_at), payload);
    }
}
