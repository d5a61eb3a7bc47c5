using System.Data.Common;
using Proactive.ServiceDefaults.Queues;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Timers;

namespace Proactive.Tracker.Store;

/// <summary>
/// One order's transaction, its lock held (PostgreSQL: across replicas) from the start: everything
/// written through it commits together or not at all.
/// </summary>
public sealed class OrderTransaction : TrackerReads
{
    private readonly DbTransaction transaction;

    internal OrderTransaction(DbConnection connection, DbTransaction transaction)
        : base(connection, transaction) => this.transaction = transaction;

    /// <summary>Stores the event unless (source, id) is already stored; false for a duplicate.</summary>
    public Task<bool> TryAddEventAsync(InboundEvent e, DateTimeOffset now) => TrackerStore.TryAddEventAsync(Connection, transaction, e, now);

    public Task SaveEpisodeAsync(DelayEpisode episode) => TrackerStore.SaveEpisodeAsync(Connection, transaction, episode);

    /// <summary>The next number in the order's sequence of published changes (1, 2, ...).</summary>
    public Task<long> NextSequenceAsync(string orderId) => TrackerStore.NextSequenceAsync(Connection, transaction, orderId);

    /// <summary>Whether the order's delivery was told to Notifier already (DELIVERED, or RESOLVED by delivery).</summary>
    public Task<bool> DeliveryPublishedAsync(string orderId) => TrackerStore.DeliveryPublishedAsync(Connection, transaction, orderId);

    /// <summary>Records that the order's delivery is told, after <see cref="NextSequenceAsync"/> for its message.</summary>
    public Task MarkDeliveryPublishedAsync(string orderId, DateTimeOffset now) => TrackerStore.MarkDeliveryPublishedAsync(Connection, transaction, orderId, now);

    /// <summary>Queues the change for the relay; it is published only if this transaction commits.</summary>
    public Task AddToOutboxAsync(OutgoingEvent e, DateTimeOffset now) => TrackerStore.AddToOutboxAsync(Connection, transaction, e, now);

    /// <summary>Sets (or, with null, removes) the order's timer.</summary>
    public Task SetTimerAsync(string orderId, DateTimeOffset? dueAt) => TrackerStore.SetTimerAsync(Connection, transaction, orderId, dueAt);

    /// <summary>Forgets the failures of the order's timer (it is waiting for no retry and parked no more).</summary>
    public Task ForgetTimerFailuresAsync(string orderId) => ItemFailures.ClearAsync(Connection, transaction, DueTimerSweep.Queue, orderId);

    public Task SavePredictionAsync(OrderPrediction prediction) => PredictionRows.SaveAsync(Connection, transaction, prediction);

    /// <summary>Adds one delivery's lesson to the stored model; returns the model's new version.</summary>
    public Task<long> AddLessonAsync(IReadOnlyList<HistogramRow> lesson) => PredictionRows.AddLessonAsync(Connection, transaction, lesson);
}
