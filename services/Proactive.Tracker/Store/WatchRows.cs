using System.Data.Common;
using System.Text;
using Dapper;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Store;

/// <summary>
/// One row per order that is late (an open delay episode) or at risk (a raised, open prediction),
/// with what the CX console filters on: reason, carrier, region (ship-to region, else country) and
/// promise date. Kept by <see cref="OrderBatch.FlushAsync"/> in the transaction that changes the
/// order, so the console's "Now" list is one indexed query, not a fold of every order.
/// </summary>
public static class WatchRows
{
    public const string Late = "late";
    public const string AtRisk = "at_risk";

    public const string Schema =
        """
        CREATE TABLE tracker_watch (
            order_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            reason TEXT NOT NULL,
            carrier TEXT NULL,
            region TEXT NULL,
            promised_by BIGINT NULL,
            estimated_delivery_at BIGINT NULL,
            probability DOUBLE PRECISION NULL,
            since BIGINT NOT NULL);
        CREATE INDEX ix_tracker_watch_since ON tracker_watch (since, order_id);
        CREATE INDEX ix_tracker_watch_promised ON tracker_watch (promised_by);
        CREATE INDEX ix_tracker_watch_carrier ON tracker_watch (carrier, since);
        CREATE INDEX ix_tracker_watch_reason ON tracker_watch (reason, since);
        CREATE INDEX ix_tracker_watch_region ON tracker_watch (region, since);
        CREATE INDEX ix_tracker_watch_counts ON tracker_watch (state, reason, carrier, region, promised_by);
        CREATE INDEX ix_tracker_episodes_opened ON tracker_episodes (opened_at);
        """;

    /// <summary>
    /// Fills the table from the open episodes and raised predictions stored before it existed (their
    /// reasons spelled as the list spells them; carrier, region and promise come with the order's next change).
    /// </summary>
    public static readonly string Backfill =
        $"""
        INSERT INTO tracker_watch (order_id, state, reason, since)
        SELECT order_id,
            CASE WHEN reason IN ('{DelayReason.PredictedLate}', '{DelayReason.PromiseAtRisk}') THEN '{AtRisk}' ELSE '{Late}' END,
            CASE reason {string.Join(" ", Enum.GetValues<DelayReason>().Select(r => $"WHEN '{r}' THEN '{Names.Of(r)}'"))} ELSE reason END,
            MAX(opened_at)
        FROM tracker_episodes WHERE closed_at IS NULL GROUP BY order_id, reason
        ON CONFLICT (order_id) DO NOTHING;
        INSERT INTO tracker_watch (order_id, state, reason, probability, estimated_delivery_at, since)
        SELECT order_id, '{AtRisk}', '{Names.Of(DelayReason.PredictedLate)}', probability, estimated_delivery_at, raised_at FROM tracker_predictions
        WHERE raised_at IS NOT NULL AND closed_at IS NULL
        ON CONFLICT (order_id) DO NOTHING;
        """;

    /// <summary>The order's row, or null when it is neither late nor at risk (pure: the flush's rule).</summary>
    public static WatchRow? Of(string orderId, OrderTimeline? timeline, IReadOnlyList<DelayEpisode> episodes, OrderPrediction? prediction)
    {
        var shipment = timeline?.OpenShipments.FirstOrDefault() ?? timeline?.Shipments.LastOrDefault();
        var terms = timeline?.Terms;
        var region = terms?.ShipTo is { } to ? to.Region ?? to.Country : null;
        if (timeline is { IsDelivered: true } or { IsCancelled: true })
        {
            return null;
        }

        if (episodes.LastOrDefault(e => e.IsOpen) is { } open)
        {
            // A forecast (the model's warning, the last call before the promise) is a risk, not a delay yet.
            var state = open.Reason is DelayReason.PredictedLate or DelayReason.PromiseAtRisk ? AtRisk : Late;
            return new WatchRow(
                orderId, state, Names.Of(open.Reason), shipment?.Carrier, region, terms?.PromisedBy.ToMs(),
                (open.EstimatedDeliveryAt ?? shipment?.EstimatedDeliveryAt).ToMs(), prediction?.Probability, open.OpenedAt.ToMs());
        }

        if (prediction is { RaisedAt: { } raised, ClosedAt: null })
        {
            return new WatchRow(
                orderId, AtRisk, Names.Of(DelayReason.PredictedLate), shipment?.Carrier, region, terms?.PromisedBy.ToMs(),
                prediction.EstimatedDeliveryAt.ToMs(), prediction.Probability, raised.ToMs());
        }

        return null;
    }

    internal static async Task SaveAsync(DbConnection c, DbTransaction tx, SqlDialect dialect, IReadOnlyCollection<string> changed, IReadOnlyList<WatchRow> rows)
    {
        var keep = rows.Select(r => r.OrderId).ToHashSet(StringComparer.Ordinal);
        var gone = changed.Where(id => !keep.Contains(id)).ToArray();
        if (gone.Length > 0)
        {
            await c.ExecuteKeptAsync($"DELETE FROM tracker_watch WHERE order_id {dialect.AnyOf("ids")}", new { ids = dialect.List(gone) }, tx);
        }

        if (rows.Count > 0)
        {
            await c.ExecuteEachKeptAsync(
                """
                INSERT INTO tracker_watch (order_id, state, reason, carrier, region, promised_by, estimated_delivery_at, probability, since)
                VALUES (@OrderId, @State, @Reason, @Carrier, @Region, @PromisedBy, @EstimatedDeliveryAt, @Probability, @Since)
                ON CONFLICT (order_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, carrier = excluded.carrier,
                    region = excluded.region, promised_by = excluded.promised_by, estimated_delivery_at = excluded.estimated_delivery_at,
                    probability = excluded.probability, since = excluded.since
                """,
                rows,
                tx);
        }
    }

    /// <summary>A page of the list, newest first, after <paramref name="filter"/>'s cursor.</summary>
    public static async Task<List<WatchRow>> PageAsync(DbConnection c, WatchFilter filter, int size)
    {
        var (where, args) = Where(filter);
        if (filter.After is { } after)
        {
            where.Append(" AND (since < @afterSince OR (since = @afterSince AND order_id > @afterId))");
            args.Add("afterSince", after.Since);
            args.Add("afterId", after.OrderId);
        }

        args.Add("size", size);
        var rows = await c.QueryAsync<Row>(
            $"SELECT * FROM tracker_watch WHERE {where} ORDER BY since DESC, order_id LIMIT @size", args);
        return [.. rows.Select(r => new WatchRow(r.order_id, r.state, r.reason, r.carrier, r.region, r.promised_by, r.estimated_delivery_at, r.probability, r.since))];
    }

    /// <summary>How many orders match, by state and by reason.</summary>
    public static async Task<WatchCounts> CountAsync(DbConnection c, WatchFilter filter)
    {
        var (where, args) = Where(filter);
        var rows = await c.QueryAsync<(string State, string Reason, long Orders)>(
            $"SELECT state, reason, COUNT(*) FROM tracker_watch WHERE {where} GROUP BY state, reason", args); // ix_tracker_watch_counts covers it
        var list = rows.ToList();
        return new WatchCounts(
            list.Where(r => r.State == Late).Sum(r => r.Orders),
            list.Where(r => r.State == AtRisk).Sum(r => r.Orders),
            [.. list.GroupBy(r => r.Reason).Select(g => (g.Key, g.Sum(r => r.Orders))).OrderByDescending(g => g.Item2)]);
    }

    /// <summary>The carriers and regions on the list (for the filters' choices), at most 200 of each.</summary>
    public static async Task<(List<string> Carriers, List<string> Regions)> ChoicesAsync(DbConnection c) =>
        ([.. await c.QueryAsync<string>("SELECT DISTINCT carrier FROM tracker_watch WHERE carrier IS NOT NULL ORDER BY carrier LIMIT 200")],
         [.. await c.QueryAsync<string>("SELECT DISTINCT region FROM tracker_watch WHERE region IS NOT NULL ORDER BY region LIMIT 200")]);

    /// <summary>Delay episodes opened per UTC day from <paramref name="from"/> (the trend at the top of "Now").</summary>
    public static async Task<List<(DateOnly Day, long Opened)>> OpenedPerDayAsync(DbConnection c, DateTimeOffset from, DateTimeOffset now)
    {
        var start = new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero).ToMs();
        var rows = await c.QueryAsync<(long Day, long Opened)>(
            "SELECT (opened_at - @start) / 86400000 AS day, COUNT(*) FROM tracker_episodes WHERE opened_at >= @start GROUP BY (opened_at - @start) / 86400000",
            new { start });
        var byDay = rows.ToDictionary(r => r.Day, r => r.Opened);
        var days = (int)Math.Ceiling((now.ToMs() - start) / 86_400_000.0);
        return [.. Enumerable.Range(0, Math.Max(days, 1)).Select(d => (DateOnly.FromDateTime(UnixTime.FromMs(start).UtcDateTime.AddDays(d)), byDay.GetValueOrDefault(d)))];
    }

    private static (StringBuilder Where, DynamicParameters Args) Where(WatchFilter filter)
    {
        var where = new StringBuilder("1 = 1");
        var args = new DynamicParameters();
        if (filter.State is { Length: > 0 } state)
        {
            where.Append(" AND state = @state");
            args.Add("state", state);
        }

        if (filter.Reason is { Length: > 0 } reason)
        {
            where.Append(" AND reason = @reason");
            args.Add("reason", reason);
        }

        if (filter.Carrier is { Length: > 0 } carrier)
        {
            where.Append(" AND carrier = @carrier");
            args.Add("carrier", carrier);
        }

        if (filter.Region is { Length: > 0 } region)
        {
            where.Append(" AND region = @region");
            args.Add("region", region);
        }

        if (filter.PromisedFrom is { } from)
        {
            where.Append(" AND promised_by >= @promisedFrom");
            args.Add("promisedFrom", from.ToMs());
        }

        if (filter.PromisedTo is { } to)
        {
            where.Append(" AND promised_by < @promisedTo");
            args.Add("promisedTo", to.ToMs());
        }

        return (where, args);
    }

    private sealed record Row(
        string order_id, string state, string reason, string? carrier, string? region, long? promised_by, long? estimated_delivery_at, double? probability, long since);
}

/// <summary>An order on the console's "Now" list. Times in Unix milliseconds.</summary>
public sealed record WatchRow(
    string OrderId, string State, string Reason, string? Carrier, string? Region, long? PromisedBy, long? EstimatedDeliveryAt, double? Probability, long Since);

/// <summary>The list's filters; null or empty: any.</summary>
public sealed record WatchFilter(
    string? State = null, string? Reason = null, string? Carrier = null, string? Region = null,
    DateTimeOffset? PromisedFrom = null, DateTimeOffset? PromisedTo = null, (long Since, string OrderId)? After = null);

public sealed record WatchCounts(long Late, long AtRisk, List<(string Reason, long Orders)> ByReason);
