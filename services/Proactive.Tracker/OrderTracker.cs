using System.Diagnostics;
using System.Runtime.ExceptionServices;
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
    /// Handles one contract event (a batch of one, see <see cref="HandleBatchAsync"/>); throws what
    /// its order's evaluation failed with. <paramref name="messagingSystem"/> says how it came
    /// ("dapr", or "http" for the standalone ingest).
    /// </summary>
    public async Task<IngestOutcome> HandleAsync(InboundEvent e, CancellationToken cancellationToken, string messagingSystem = "http")
    {
        var result = (await HandleBatchAsync([e], cancellationToken, messagingSystem))[0];
        if (result.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return result.Outcome;
    }

    /// <summary>
    /// Handles a batch of contract events (a Dapr bulk delivery, a standalone batch, or single
    /// deliveries gathered by group commit) in one transaction, and answers each one, in the batch's
    /// order: the events are stored in one statement, the orders they touch read in one round trip
    /// and evaluated one after the other, and what the evaluations write goes in one statement per
    /// table before the one commit. Each event gets a consumer span that continues its CloudEvent's
    /// trace. An order whose evaluation fails is taken out (nothing of it kept) and the rest done
    /// again (when it had several events in the batch, each of them alone); a failure no order can
    /// be blamed for makes every order go on its own. Throws when the store is unavailable or
    /// <paramref name="cancellationToken"/> fires: then nothing of the batch is committed (but for
    /// orders already committed on their own after such a failure, which a redelivery finds
    /// duplicates), and every entry can be delivered again.
    /// </summary>
    public async Task<IReadOnlyList<BatchEntryResult>> HandleBatchAsync(
        IReadOnlyList<InboundEvent> events, CancellationToken cancellationToken, string messagingSystem = "http")
    {
        var parent = Activity.Current;
        var spans = new Activity?[events.Count];
        var results = new BatchEntryResult[events.Count];
        try
        {
            for (var i = 0; i < events.Count; i++)
            {
                spans[i] = StartConsumerSpan(events[i], messagingSystem);
                if (events.Count > 1)
                {
                    // Many events, many traces: the batch's own work stays in the caller's.
                    Activity.Current = parent;
                }
            }

            // A copy of an event in the same batch is a duplicate of its first copy.
            var firstCopy = new Dictionary<(string, string), int>();
            var unique = new List<int>();
            for (var i = 0; i < events.Count; i++)
            {
                if (firstCopy.TryAdd((events[i].Source, events[i].Id), i))
                {
                    unique.Add(i);
                }
            }

            await HandleUniqueAsync(events, unique, spans, results, cancellationToken);
            for (var i = 0; i < events.Count; i++)
            {
                var first = firstCopy[(events[i].Source, events[i].Id)];
                if (first != i)
                {
                    results[i] = results[first] with { Outcome = IngestOutcome.Duplicate };
                }

                Answered(events[i], results[i], spans[i]);
            }

            return results;
        }
        catch (Exception e)
        {
            foreach (var span in spans)
            {
                span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            }

            throw;
        }
        finally
        {
            foreach (var span in spans)
            {
                span?.Dispose();
            }

            Activity.Current = parent;
        }
    }

    private static Activity? StartConsumerSpan(InboundEvent e, string messagingSystem)
    {
        EventTypes.TryGet(e.Type, out var topic, out _);
        var activity = ProactiveTelemetry.StartProcess(messagingSystem, topic, e.Id, e.TraceParent, e.TraceState);
        activity?.SetTag("cloudevents.event_id", e.Id);
        activity?.SetTag("cloudevents.event_source", e.Source);
        activity?.SetTag("cloudevents.event_type", e.Type);
        activity?.SetTag("proactive.order_id", e.OrderId);
        return activity;
    }

    private void Answered(InboundEvent e, BatchEntryResult result, Activity? span)
    {
        if (result.Failure is not null)
        {
            span?.SetStatus(ActivityStatusCode.Error, result.Failure.GetType().Name);
            return;
        }

        span?.SetTag("proactive.outcome", result.Outcome == IngestOutcome.Duplicate ? "duplicate" : "accepted");
        if (result.Outcome == IngestOutcome.Duplicate)
        {
            metrics.Duplicate(e.Type);
            LogDuplicate(logger, e.Source, e.Id);
        }
        else
        {
            metrics.Accepted(e.Type);
        }
    }

    /// <summary>The batch's events of distinct (source, id), given by their <paramref name="indexes"/>.</summary>
    private async Task HandleUniqueAsync(
        IReadOnlyList<InboundEvent> all, IReadOnlyList<int> indexes, Activity?[] spans, BatchEntryResult[] results, CancellationToken cancellationToken)
    {
        var failed = new Dictionary<string, Exception>(StringComparer.Ordinal);
        while (true)
        {
            var live = indexes.Where(i => !failed.ContainsKey(all[i].OrderId)).ToList();
            if (live.Count == 0)
            {
                break;
            }

            var orderIds = live.Select(i => all[i].OrderId).Distinct(StringComparer.Ordinal).ToList();
            try
            {
                var now = time.GetUtcNow();
                var (added, evaluations) = await store.InIntakeTransactionAsync(
                    [.. live.Select(i => all[i])],
                    now,
                    async (batch, added) =>
                    {
                        var fresh = live.Where(i => added.Contains((all[i].Source, all[i].Id))).ToList();
                        // Each order touched, with its last new event in the batch: the order's
                        // evaluation continues that event's trace.
                        var lastEvent = new Dictionary<string, int>(StringComparer.Ordinal);
                        foreach (var i in fresh)
                        {
                            lastEvent[all[i].OrderId] = i;
                        }

                        var touched = fresh.Select(i => all[i].OrderId).Distinct(StringComparer.Ordinal).ToList();
                        await batch.LoadAsync(touched, fresh.Select(i => all[i]));
                        var evaluations = new List<Evaluation>(touched.Count);
                        foreach (var orderId in touched)
                        {
                            var previous = Activity.Current;
                            Activity.Current = spans[lastEvent[orderId]] ?? previous;
                            try
                            {
                                evaluations.Add(await EvaluateAsync(batch.For(orderId), orderId, now));
                            }
                            catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
                            {
                                throw new OrderFailedException(orderId, e);
                            }
                            finally
                            {
                                Activity.Current = previous;
                            }
                        }

                        return (added, evaluations);
                    },
                    cancellationToken,
                    "HandleBatch");

                foreach (var i in live)
                {
                    results[i] = new BatchEntryResult(added.Contains((all[i].Source, all[i].Id)) ? IngestOutcome.Accepted : IngestOutcome.Duplicate);
                }

                foreach (var evaluation in evaluations)
                {
                    Committed(evaluation);
                }

                break;
            }
            catch (OrderFailedException e) when (live.Count(i => all[i].OrderId == e.OrderId) > 1)
            {
                // Which of the order's events it failed on is not known: each of them on its own.
                var alone = live.Where(i => all[i].OrderId == e.OrderId).ToList();
                foreach (var i in alone)
                {
                    await HandleUniqueAsync(all, [i], spans, results, cancellationToken);
                }

                indexes = [.. indexes.Except(alone)];
            }
            catch (OrderFailedException e)
            {
                failed[e.OrderId] = e.InnerException!;
            }
            catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken) && orderIds.Count > 1)
            {
                // A statement of the whole batch failed, no order to blame: each order on its own.
                foreach (var order in live.GroupBy(i => all[i].OrderId, StringComparer.Ordinal))
                {
                    await HandleUniqueAsync(all, [.. order], spans, results, cancellationToken);
                }

                break;
            }
            catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken) && live.Count > 1)
            {
                // One order, several events, and the failure (reading the order: a late event folds it
                // again) names none of them: each event on its own, so one bad event fails alone.
                foreach (var i in live)
                {
                    await HandleUniqueAsync(all, [i], spans, results, cancellationToken);
                }

                break;
            }
            catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
            {
                failed[orderIds[0]] = e;
            }
        }

        foreach (var i in indexes.Where(i => failed.ContainsKey(all[i].OrderId)))
        {
            results[i] = new BatchEntryResult(IngestOutcome.Accepted, failed[all[i].OrderId]);
        }
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
        var timeline = await order.TimelineAsync(orderId);
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

    /// <summary>An order's evaluation failed inside a batch: the batch is done again without it.</summary>
    private sealed class OrderFailedException(string orderId, Exception inner) : Exception($"Order {orderId} could not be evaluated", inner)
    {
        public string OrderId => orderId;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate event {Source}/{EventId} ignored")]
    private static partial void LogDuplicate(ILogger logger, string source, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: delivered ({EpisodeCount} delay episodes)")]
    private static partial void LogDelivered(ILogger logger, string orderId, int episodeCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: episode {EpisodeId} {Kind} ({Reason})")]
    private static partial void LogEpisodeChanged(ILogger logger, string orderId, string episodeId, EpisodeChangeKind kind, DelayReason reason);
}
