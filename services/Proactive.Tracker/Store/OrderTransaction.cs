using System.Data.Common;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Store;

/// <summary>
/// Orders in a transaction, their locks held (PostgreSQL: across replicas) from the start: everything
/// written through it commits together or not at all. Reads come from the state its
/// <see cref="OrderBatch"/> read once for all the batch's orders; writes wait in the batch until
/// just before the commit, and are seen by later reads in the same transaction.
/// </summary>
public sealed class OrderTransaction : TrackerReads
{
    private readonly DbTransaction transaction;
    private readonly OrderBatch batch;

    internal OrderTransaction(DbConnection connection, DbTransaction transaction, OrderBatch batch)
        : base(connection, transaction)
    {
        this.transaction = transaction;
        this.batch = batch;
    }

    /// <summary>Stores the event unless (source, id) is already stored; false for a duplicate.</summary>
    public Task<bool> TryAddEventAsync(InboundEvent e, DateTimeOffset now) => TrackerStore.TryAddEventAsync(Connection, transaction, e, now);

    /// <summary>The order's timeline folded up to the batch's new events (carried forward from its snapshot, or folded again).</summary>
    public async Task<OrderTimeline> TimelineAsync(string orderId) => (await batch.LoadedStateOf(orderId)).Timeline!.Timeline;

    public override async Task<List<DelayEpisode>> EpisodesAsync(string orderId) => [.. (await batch.LoadedStateOf(orderId)).Episodes];

    public override async Task<OrderPrediction?> PredictionAsync(string orderId) => (await batch.LoadedStateOf(orderId)).Prediction;

    public async Task SaveEpisodeAsync(DelayEpisode episode) => (await batch.LoadedStateOf(episode.OrderId)).SaveEpisode(episode);

    /// <summary>The next number in the order's sequence of published changes (1, 2, ...).</summary>
    public async Task<long> NextSequenceAsync(string orderId)
    {
        var state = await batch.LoadedStateOf(orderId);
        state.RowChanged = true;
        return ++state.Sequence;
    }

    /// <summary>Whether the order's delivery was told to Notifier already (DELIVERED, or RESOLVED by delivery).</summary>
    public async Task<bool> DeliveryPublishedAsync(string orderId) => (await batch.LoadedStateOf(orderId)).DeliveredPublishedAt is not null;

    /// <summary>Records that the order's delivery is told, after <see cref="NextSequenceAsync"/> for its message.</summary>
    public async Task MarkDeliveryPublishedAsync(string orderId, DateTimeOffset now)
    {
        var state = await batch.LoadedStateOf(orderId);
        if (state.DeliveredPublishedAt is null)
        {
            state.DeliveredPublishedAt = now.ToUnixTimeMilliseconds();
            state.RowChanged = true;
        }
    }

    /// <summary>Queues the change for the relay; it is published only if this transaction commits.</summary>
    public async Task AddToOutboxAsync(OutgoingEvent e, DateTimeOffset now) => (await batch.LoadedStateOf(e.PartitionKey)).Outbox.Add((e, now));

    /// <summary>Sets (or, with null, removes) the order's timer.</summary>
    public Task SetTimerAsync(string orderId, DateTimeOffset? dueAt)
    {
        batch.StateOf(orderId).SetTimer(dueAt);
        return Task.CompletedTask;
    }

    /// <summary>Forgets the failures of the order's timer (it is waiting for no retry and parked no more).</summary>
    public Task ForgetTimerFailuresAsync(string orderId)
    {
        batch.StateOf(orderId).ForgetTimerFailures = true;
        return Task.CompletedTask;
    }

    public async Task SavePredictionAsync(OrderPrediction prediction)
    {
        var state = await batch.LoadedStateOf(prediction.OrderId);
        state.Prediction = prediction;
        state.SavedPrediction = true;
    }

    /// <summary>Adds one delivery's lesson to the stored model; returns the model's new version.</summary>
    public Task<long> AddLessonAsync(IReadOnlyList<HistogramRow> lesson) => PredictionRows.AddLessonAsync(Connection, transaction, lesson);
}
