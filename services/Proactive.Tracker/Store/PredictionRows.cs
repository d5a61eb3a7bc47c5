using System.Data.Common;
using Dapper;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Prediction;

namespace Proactive.Tracker.Store;

/// <summary>How a PREDICTED_LATE warning turned out.</summary>
public enum PredictionOutcome
{
    /// <summary>Delivered after the promise: the warning was right. (A parcel never delivered stays unsettled.)</summary>
    Late,

    /// <summary>Delivered on time after all: a false alarm.</summary>
    FalseAlarm,

    /// <summary>Cancelled before delivery.</summary>
    Cancelled,
}

/// <summary>
/// What the model said about one order: when it was found at risk and with what probability and
/// estimate and in which mode, when it closed (a delivery then taught the model), and how the warning turned out.
/// </summary>
public sealed record OrderPrediction(
    string OrderId,
    DateTimeOffset? RaisedAt = null,
    double? Probability = null,
    DateTimeOffset? EstimatedDeliveryAt = null,
    DateTimeOffset? ClosedAt = null,
    PredictionOutcome? Outcome = null,
    PredictionMode? RaisedIn = null);

/// <summary>
/// The delivery-time model's tables: its histogram rows (added to, never rewritten), a version that
/// grows with each delivery learned (so replicas see when to re-read), and each order's prediction.
/// </summary>
public static class PredictionRows
{
    public const string Schema =
        """
        CREATE TABLE tracker_model (
            id INTEGER PRIMARY KEY,
            version BIGINT NOT NULL,
            learned BIGINT NOT NULL);
        INSERT INTO tracker_model (id, version, learned) VALUES (1, 0, 0);

        CREATE TABLE tracker_model_bins (
            kind TEXT NOT NULL,
            grp TEXT NOT NULL,
            bin INTEGER NOT NULL,
            weight DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (kind, grp, bin));

        CREATE TABLE tracker_predictions (
            order_id TEXT PRIMARY KEY,
            raised_at BIGINT NULL,
            probability DOUBLE PRECISION NULL,
            estimated_delivery_at BIGINT NULL,
            closed_at BIGINT NULL,
            outcome TEXT NULL,
            raised_in TEXT NULL);
        """;

    internal static Task<long> VersionAsync(DbConnection c, DbTransaction? tx) =>
        c.ExecuteScalarAsync<long>("SELECT version FROM tracker_model WHERE id = 1", transaction: tx);

    /// <summary>The model as stored: its version, deliveries learned and rows (in key order, so sums add
    /// up the same everywhere). Read again when a lesson committed between the statements (each sees
    /// its own snapshot under READ COMMITTED), so the rows are exactly those of the version.</summary>
    internal static async Task<(long Version, long Learned, List<HistogramRow> Rows)> LoadModelAsync(DbConnection c, DbTransaction? tx)
    {
        while (true)
        {
            var (version, learned) = await c.QuerySingleAsync<(long, long)>("SELECT version, learned FROM tracker_model WHERE id = 1", transaction: tx);
            var rows = await c.QueryAsync<(string Kind, string Group, long Bin, double Weight)>(
                "SELECT kind, grp, bin, weight FROM tracker_model_bins ORDER BY kind, grp, bin", transaction: tx);
            if (await VersionAsync(c, tx) == version)
            {
                return (version, learned, rows.Select(r => new HistogramRow(Enum.Parse<HistogramKind>(r.Kind), r.Group, (int)r.Bin, r.Weight)).ToList());
            }
        }
    }

    /// <summary>Adds one delivery's lesson; returns the model's new version. The version row is locked
    /// until the transaction ends, so lessons are numbered in the order they commit.</summary>
    internal static async Task<long> AddLessonAsync(DbConnection c, DbTransaction tx, IReadOnlyList<HistogramRow> lesson)
    {
        var version = await c.ExecuteScalarAsync<long>(
            "UPDATE tracker_model SET version = version + 1, learned = learned + 1 WHERE id = 1 RETURNING version", transaction: tx);
        await c.ExecuteAsync(
            """
            INSERT INTO tracker_model_bins (kind, grp, bin, weight) VALUES (@Kind, @Group, @Bin, @Weight)
            ON CONFLICT (kind, grp, bin) DO UPDATE SET weight = tracker_model_bins.weight + excluded.weight
            """,
            lesson.Select(r => new { Kind = r.Kind.ToString(), r.Group, r.Bin, r.Weight }),
            tx);
        return version;
    }

    internal static async Task<OrderPrediction?> LoadAsync(DbConnection c, DbTransaction? tx, string orderId)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(
            "SELECT * FROM tracker_predictions WHERE order_id = @orderId", new { orderId }, tx);
        return row is null ? null : ToPrediction(row);
    }

    internal static OrderPrediction ToPrediction(Row row) => new(
        row.order_id,
        UnixTime.FromMs(row.raised_at),
        row.probability,
        UnixTime.FromMs(row.estimated_delivery_at),
        UnixTime.FromMs(row.closed_at),
        row.outcome is null ? null : Enum.Parse<PredictionOutcome>(row.outcome),
        row.raised_in is null ? null : Enum.Parse<PredictionMode>(row.raised_in));

    internal static Task SaveAsync(DbConnection c, DbTransaction tx, OrderPrediction p) =>
        c.ExecuteKeptAsync(
            """
            INSERT INTO tracker_predictions (order_id, raised_at, probability, estimated_delivery_at, closed_at, outcome, raised_in)
            VALUES (@OrderId, @RaisedAt, @Probability, @Eta, @ClosedAt, @Outcome, @RaisedIn)
            ON CONFLICT (order_id) DO UPDATE SET
                raised_at = excluded.raised_at, probability = excluded.probability,
                estimated_delivery_at = excluded.estimated_delivery_at,
                closed_at = excluded.closed_at, outcome = excluded.outcome, raised_in = excluded.raised_in
            """,
            new
            {
                p.OrderId,
                RaisedAt = p.RaisedAt.ToMs(),
                p.Probability,
                Eta = p.EstimatedDeliveryAt.ToMs(),
                ClosedAt = p.ClosedAt.ToMs(),
                Outcome = p.Outcome?.ToString(),
                RaisedIn = p.RaisedIn?.ToString(),
            },
            tx);

    internal sealed record Row(string order_id, long? raised_at, double? probability, long? estimated_delivery_at, long? closed_at, string? outcome, string? raised_in);
}
