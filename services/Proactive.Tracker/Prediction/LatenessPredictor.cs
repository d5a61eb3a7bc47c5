using Microsoft.Extensions.Options;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Prediction;

/// <summary>What one evaluation of an order did with the model, to apply once its transaction commits.</summary>
/// <param name="Verdict">The model's word for the rules (null when it has none).</param>
/// <param name="Record">The order's prediction record as it now stands.</param>
/// <param name="Lesson">The delivery learned, with the model version it made.</param>
/// <param name="Raised">The order was found at risk in this evaluation.</param>
/// <param name="Outcome">The order closed with a warning on record, and how the warning turned out.</param>
/// <param name="Assessed">The assessment made, for the observers.</param>
/// <param name="Closed">The order closed in this evaluation (delivered, or cancelled), for the observers.</param>
public sealed record PredictionStep(
    PredictedLateness? Verdict,
    OrderPrediction? Record = null,
    (IReadOnlyList<HistogramRow> Rows, long Version)? Lesson = null,
    bool Raised = false,
    PredictionOutcome? Outcome = null,
    (DateTimeOffset At, OrderFacts Facts, LatenessForecast Forecast)? Assessed = null,
    (DateTimeOffset At, bool Delivered)? Closed = null);

/// <summary>
/// Tracker's use of the delivery-time model, inside an order's transaction: a delivered order
/// teaches it (once), a closed order settles its warning (late, false alarm, cancelled), an open
/// order is assessed and, once at risk, stays at risk with the probability and estimate of that
/// moment (so a drifting estimate is not new news). The model itself is cached in memory and kept
/// in step with the store (<see cref="SharedModel"/>). Observers hear of what committed only.
/// </summary>
public sealed class LatenessPredictor(
    SharedModel model,
    IOptions<PredictionSettings> settings,
    IOptions<TrackerOptions> tracker,
    IEnumerable<IPredictionObserver> observers)
{
    private readonly IPredictionObserver[] observers = [.. observers];
    private readonly TimeZoneInfo defaultZone = Zones.Find(tracker.Value.DefaultTimeZone) ?? TimeZoneInfo.Utc;

    public PredictionMode Mode => settings.Value.Mode;

    public async Task<PredictionStep> StepAsync(OrderTransaction order, OrderTimeline timeline, DateTimeOffset now)
    {
        if (OrderFacts.Of(timeline, defaultZone) is not { } facts)
        {
            return new PredictionStep(null);
        }

        var record = await order.PredictionAsync(timeline.OrderId) ?? new OrderPrediction(timeline.OrderId);
        if (Mode == PredictionMode.Off)
        {
            // Nothing taught nor asked; a warning raised before stays (the customer heard it), for the record.
            return new PredictionStep(record.RaisedAt is null || timeline.IsCancelled || timeline.DeliveredAt is not null ? null : Sticky(record));
        }

        if (timeline.IsCancelled || timeline.DeliveredAt is not null)
        {
            return await CloseAsync(order, timeline, facts, record);
        }

        if (record.RaisedAt is not null)
        {
            return new PredictionStep(Sticky(record), record);
        }

        var forecast = await model.UseAsync(order, now, m => m.Assess(facts, now));
        if (forecast is null)
        {
            return new PredictionStep(null);
        }

        var speaks = Mode == PredictionMode.Notify && forecast.Probability is not null;
        if (!forecast.AtRisk)
        {
            return new PredictionStep(
                new PredictedLateness(false, forecast.Probability, NextAssessmentAt: forecast.NextAssessmentAt, ShipByYields: speaks),
                record,
                Assessed: (now, facts, forecast));
        }

        // An estimate is only worth quoting when it is past the promise.
        var estimate = forecast.ExpectedDeliveryAt > facts.PromisedBy ? forecast.ExpectedDeliveryAt : null;
        record = record with { RaisedAt = now, Probability = forecast.Probability, EstimatedDeliveryAt = estimate, RaisedIn = Mode };
        await order.SavePredictionAsync(record);
        return new PredictionStep(Sticky(record), record, Raised: true, Assessed: (now, facts, forecast));
    }

    /// <summary>After the order's transaction committed: the lesson goes into the cached model, the observers hear.</summary>
    public void Committed(string orderId, PredictionStep step)
    {
        if (step.Lesson is { } lesson)
        {
            model.Learned(lesson.Rows, lesson.Version);
        }

        if (observers.Length == 0)
        {
            return;
        }

        if (step.Assessed is { } assessed)
        {
            model.Use(m =>
            {
                foreach (var observer in observers)
                {
                    observer.Assessed(orderId, assessed.At, assessed.Facts, m, assessed.Forecast);
                }
            });
        }

        if (step.Closed is { } closed)
        {
            foreach (var observer in observers)
            {
                observer.Closed(orderId, closed.At, closed.Delivered);
            }
        }
    }

    /// <summary>A warning on record: at risk until the order closes, with what was said when it was raised.</summary>
    private PredictedLateness Sticky(OrderPrediction record) => new(
        true,
        record.Probability,
        record.EstimatedDeliveryAt,
        ShipByYields: Mode == PredictionMode.Notify && record.RaisedIn == PredictionMode.Notify,
        RecordOnly: record.RaisedIn != PredictionMode.Notify || Mode == PredictionMode.Off);

    private async Task<PredictionStep> CloseAsync(OrderTransaction order, OrderTimeline timeline, OrderFacts facts, OrderPrediction record)
    {
        if (record.ClosedAt is not null)
        {
            return new PredictionStep(null, record);
        }

        var closedAt = timeline.CancelledAt ?? timeline.DeliveredAt!.Value;
        (IReadOnlyList<HistogramRow>, long)? lesson = null;
        if (!timeline.IsCancelled && model.Lesson(facts, closedAt) is { } rows)
        {
            lesson = (rows, await order.AddLessonAsync(rows));
        }

        PredictionOutcome? outcome = record.RaisedAt is null ? null
            : timeline.IsCancelled ? PredictionOutcome.Cancelled
            : closedAt <= facts.PromisedBy ? PredictionOutcome.FalseAlarm
            : PredictionOutcome.Late;
        var closed = record with { ClosedAt = closedAt, Outcome = outcome };
        await order.SavePredictionAsync(closed);
        return new PredictionStep(null, closed, lesson, Outcome: outcome, Closed: (closedAt, !timeline.IsCancelled));
    }
}
