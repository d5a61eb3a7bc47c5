using System.Data.Common;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;

namespace Proactive.Tracker.Store;

/// <summary>What Tracker reads of its store: an order's events, episodes and prediction, and the shared model.</summary>
public class TrackerReads
{
    private protected TrackerReads(DbConnection connection, DbTransaction? transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    private protected DbConnection Connection { get; }

    private protected DbTransaction? Transaction { get; }

    public virtual Task<List<InboundEvent>> EventsAsync(string orderId) => TrackerStore.LoadEventsAsync(Connection, Transaction, orderId);

    public virtual Task<List<DelayEpisode>> EpisodesAsync(string orderId) => TrackerStore.LoadEpisodesAsync(Connection, Transaction, orderId);

    public virtual Task<OrderPrediction?> PredictionAsync(string orderId) => PredictionRows.LoadAsync(Connection, Transaction, orderId);

    /// <summary>The stored model's version (bumped by each lesson).</summary>
    public Task<long> ModelVersionAsync() => PredictionRows.VersionAsync(Connection, Transaction);

    /// <summary>The stored model: its version, deliveries learned and rows.</summary>
    public Task<(long Version, long Learned, List<HistogramRow> Rows)> ModelAsync() => PredictionRows.LoadModelAsync(Connection, Transaction);

    internal sealed class OnConnection(DbConnection connection) : TrackerReads(connection, null);
}
