using Microsoft.Extensions.Logging;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;
using Proactive.Tracker.Timers;

namespace Proactive.Tracker;

public enum IngestOutcome
{
    Accepted,
    Duplicate,
}

/// <summary>
/// What became of one event of a batch: stored (or a duplicate), or — with <paramref name="Failure"/> —
/// not stored because its order could not be evaluated (an item failure, not the store's): nothing of
/// that order in the batch was kept, and the caller holds the event (Dapr) or answers it failed (HTTP).
/// </summary>
public readonly record struct BatchEntryResult(IngestOutcome Outcome, Exception? Failure = null)
{
    public bool Failed => Failure is not null;
}

/// <summary>
/// Tracker's one entry point for an event: store it (once per source and id), re-fold the order's
/// timeline, apply the delay rules, and record any episode change with its outbox row and the
/// order's next timer — all in one transaction. Handlers run at least once, so this is idempotent.
/// </summary>
public sealed partial class OrderTracker(
    TrackerStore store,
    LatenessPredictor predictor,
    OutboxSignal outboxSignal,
    TrackerMetrics metrics,
    TimeProvider time,
    RuleSettings rules,
    ILogger<OrderTracker> logger)
{
    public TrackerMetrics Metrics => metrics;

    /// <summary>
    /// Handles one contract event, in a consumer span that continues the CloudEvent's trace;
    /// <paramref name="messagingSystem"/> says how it came ("dapr", or "http" for the standalone ingest).
    /// </summary>
    public async Task<IngestOutcome> HandleAsync(InboundEvent e, CancellationToken cancellationToken, string messagingSystem = "http")
    {
        EventTypes.TryGet(e.Type, out var topic, out _);
        using var activity = ProactiveTelemetry.StartProcess(messagingSystem, topic, e.Id, e.TraceParent, e.TraceState);
        activity?.SetTag("cloudevents.event_id", e.Id);
        activity?.SetTag("cloudevents.event_source", e.Source);
        activity?.SetTag("cloudevents.event_type", e.Type);
        activity?.SetTag("proactive.order_id", e.OrderId);

        var now = time.GetUtcNow();
        var (outcome, change) = await store.InOrderTransactionAsync(
            e.OrderId,
            async order =>
            {
                if (!await order.TryAddEventAsync(e, now))
                {
                    return (IngestOutcome.Duplicate, (Evaluation?)null);
                }

                return (IngestOutcome.Accepted, await EvaluateAsync(order, e.OrderId, now));
            },
            cancellationToken);

        activity?.SetTag("proactive.outcome", outcome == IngestOutcome.Duplicate ? "duplicate" : "accepted");
        if (outcome == IngestOutcome.Duplicate)
        {
            metrics.Duplicate(e.Type);
            LogDuplicate(logger, e.Source, e.Id);
        }
        else
        {
            metrics.Accepted(e.Type);
        }

        Committed(change);
        return outcome;
    }

    /// <summary>
    /// Handles a batch of contract events (a Dapr bulk delivery, a standalone batch, or single
    /// deliveries gathered by group commit) and answers each one, in the batch's order. Throws when
    /// the store is unavailable or <paramref name="cancellationToken"/> fires: then nothing of the
    /// batch is committed, and every entry can be delivered again.
    /// </summary>
    public async Task<IReadOnlyList<BatchEntryResult>> HandleBatchAsync(
        IReadOnlyList<InboundEvent> events, CancellationToken cancellationToken, string messagingSystem = "http")
    {
        var results = new BatchEntryResult[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                results[i] = new BatchEntryResult(await HandleAsync(events[i], cancellationToken, messagingSystem));
            }
            catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
            {
                results[i] = new BatchEntryResult(IngestOutcome.Accepted, e);
            }
        }

        return results;
    }

    /// <summary>Re-applies the rules to an order whose timer fell due.</summary>
    public async Task ReevaluateAsync(string orderId, CancellationToken cancellationToken)
    {
        using var activity = ProactiveTelemetry.Start("timer fire");
        activity?.SetTag("proactive.order_id", orderId);
        var now = time.GetUtcNow();
        var change = await store.InOrderTransactionAsync(orderId, order => EvaluateAsync(order, orderId, now), cancellationToken);
        Committed(change);
    }

    private void Committed(Evaluation? evaluation)
    {
        if (evaluation is null)
        {
            return;
        }

        predictor.Committed(evaluation.OrderId, evaluation.Prediction);
        if (evaluation.Prediction.Raised)
        {
            metrics.PredictedLate(predictor.Mode);
        }

        if (evaluation.Prediction.Outcome is { } outcome)
        {
            metrics.PredictionSettled(outcome);
        }

        if (evaluation.Delivered)
        {
            metrics.DeliveryPublished(evaluation.Change is null ? "delivered" : "resolved");
        }

        if (evaluation.Change is { Kind: EpisodeChangeKind.Detected } change)
        {
            metrics.EpisodeOpened(Names.Of(change.Episode.Reason));
        }

        if (evaluation.Change is not null || evaluation.Delivered)
        {
            outboxSignal.Notify();
        }
    }

    /// <summary>
    /// The rules over the order's timeline, in a "rules evaluate" span. The outbox row of any change
    /// carries the current trace context, so publishing (later, from the relay) continues this trace.
    /// </summary>
    private async Task<Evaluation> EvaluateAsync(OrderTransaction order, string orderId, DateTimeOffset now)
    {
        using var activity = ProactiveTelemetry.Start("rules evaluate");
        activity?.SetTag("proactive.order_id", orderId);
        var timeline = OrderTimeline.Fold(orderId, await order.EventsAsync(orderId));
        var prediction = await predictor.StepAsync(order, timeline, now);
        var assessment = DelayRules.Assess(timeline, now, rules, prediction.Verdict);
        var episodes = await order.EpisodesAsync(orderId);
        var change = EpisodeTransitions.Next(orderId, episodes.LastOrDefault(), episodes.Count, assessment, now);
        activity?.SetTag("proactive.order.state", assessment.State.ToString());
        activity?.SetTag("proactive.rule", assessment.Reason is { } reason ? Names.Of(reason) : null);
        activity?.SetTag("proactive.episode.change", change?.Kind.ToString());
        activity?.SetTag("proactive.prediction.probability", prediction.Verdict?.Probability);

        await order.SetTimerAsync(orderId, assessment.NextCheckAt);

        // The order evaluates again: whatever made its timer fail before has passed.
        await order.ForgetTimerFailuresAsync(orderId);
        if (change is null)
        {
            var delivered = assessment.State == OrderState.Delivered && await PublishDeliveredAsync(order, timeline, episodes, now);
            return new Evaluation(orderId, null, prediction, delivered);
        }

        var (traceParent, traceState) = ProactiveTelemetry.CurrentContext();

        await order.SaveEpisodeAsync(change.Episode);
        var sequence = await order.NextSequenceAsync(orderId);
        var message = EpisodeMessage.From(change, timeline, assessment, prediction.Record, sequence, now);
        await order.AddToOutboxAsync(
            EpisodeMessage.ToOutbox(orderId, sequence, message, traceParent, traceState),
            now);
        if (change.Episode.Resolution == Resolution.Delivered)
        {
            // The resolution tells the delivery: a later event on the order publishes no DELIVERED.
            await order.MarkDeliveryPublishedAsync(orderId, now);
        }

        LogEpisodeChanged(logger, orderId, change.Episode.EpisodeId, change.Kind, change.Episode.Reason);
        return new Evaluation(orderId, change, prediction, change.Episode.Resolution == Resolution.Delivered);
    }

    /// <summary>
    /// A delivered order with no episode open tells Notifier once (DELIVERED), even if a later
    /// shipment makes it undelivered and it is delivered again; false when told already.
    /// </summary>
    private async Task<bool> PublishDeliveredAsync(OrderTransaction order, OrderTimeline timeline, IReadOnlyList<DelayEpisode> episodes, DateTimeOffset now)
    {
        var orderId = timeline.OrderId;
        if (await order.DeliveryPublishedAsync(orderId))
        {
            return false;
        }

        var (traceParent, traceState) = ProactiveTelemetry.CurrentContext();
        var sequence = await order.NextSequenceAsync(orderId);
        var message = EpisodeMessage.Delivered(timeline, episodes, sequence, now);
        await order.AddToOutboxAsync(EpisodeMessage.ToOutbox(orderId, sequence, message, traceParent, traceState), now);
        await order.MarkDeliveryPublishedAsync(orderId, now);
        LogDelivered(logger, orderId, episodes.Count);
        return true;
    }

    /// <param name="Delivered">The order's delivery was told (DELIVERED, or RESOLVED by delivery).</param>
    private sealed record Evaluation(string OrderId, EpisodeChange? Change, PredictionStep Prediction, bool Delivered);

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate event {Source}/{EventId} ignored")]
    private static partial void LogDuplicate(ILogger logger, string source, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: delivered ({EpisodeCount} delay episodes)")]
    private static partial void LogDelivered(ILogger logger, string orderId, int episodeCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: episode {EpisodeId} {Kind} ({Reason})")]
    private static partial void LogEpisodeChanged(ILogger logger, string orderId, string episodeId, EpisodeChangeKind kind, DelayReason reason);
}
