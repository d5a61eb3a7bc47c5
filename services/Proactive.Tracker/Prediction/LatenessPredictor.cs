using System.Data.Common;
using Microsoft.Extensions.Options;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Prediction;

/// <summary>What one evaluation of an order did with the model, to apply once its transaction commits.</summary>
/// <param name="Verdict">The model's word for the rules (null when it has none).</param>
/// <param name="Lesson">The delivery learned, with the model version it made.</param>
/// <param name="Raised">The order was found at risk in this evaluation.</param>
/// <param name="Outcome">The order closed with a warning on record, and how the warning turned out.</param>
public sealed record PredictionStep(
    PredictedLateness? Verdict,
    (IReadOnlyList<HistogramRow> Rows, long Version)? Lesson = null,
    bool Raised = false,
    PredictionOutcome? Outcome = null,
    OrderPrediction? Record = null);

/// <summary>
/// Tracker's use of the delivery-time model, inside an order's transaction: a delivered order
/// teaches it (once), a closed order settles its warning (late, false alarm, cancelled), an open
/// order is assessed and, once at risk, stays at risk with the probability and estimate of that
/// moment (so a drifting estimate is not new news). The model itself is cached in memory and kept
/// in step with the store (<see cref="SharedModel"/>).
/// </summary>
public sealed class LatenessPredictor(
    SharedModel model,
    IOptions<PredictionSettings> settings,
    IOptions<TrackerOptions> tracker,
    IEnumerable<IPredictionObserver> observers)
{
    private readonly IPredictionObserver[] _observers = [.. observers];
    private readonly TimeZoneInfo _defaultZone = Zones.Find(tracker.Value.DefaultTimeZone) ?? TimeZoneInfo.Utc;

    public PredictionMode Mode => settings.Value.Mode;

    public async Task<PredictionStep> StepAsync(DbConnection c, DbTransaction tx, OrderTimeline timeline, DateTimeOffset now)
    {
        if (Mode == PredictionMode.Off || OrderFacts.Of(timeline, _defaultZone) is not { } facts)
        {
            return new PredictionStep(null);
        }

        var record = await PredictionRows.LoadAsync(c, tx, timeline.OrderId) ?? new OrderPrediction(timeline.OrderId);
        if (timeline.IsCancelled || timeline.DeliveredAt is not null)
        {
            return await CloseAsync(c, tx, timeline, facts, record);
        }

        if (record.RaisedAt is not null)
        {
            return new PredictionStep(new PredictedLateness(true, record.Probability, record.EstimatedDeliveryAt, ShipByYields: Mode == PredictionMode.Notify), Record: record);
        }

        var forecast = await model.UseAsync(c, tx, now, m =>
        {
            var f = m.Assess(facts, now);
            if (f is not null)
            {
                foreach (var observer in _observers)
                {
                    observer.Assessed(timeline.OrderId, now, facts, m, f);
                }
            }

            return f;
        });
        if (forecast is null)
        {
            return new PredictionStep(null);
        }

        var speaks = Mode == PredictionMode.Notify && forecast.Probability is not null;
        if (!forecast.AtRisk)
        {
            return new PredictionStep(new PredictedLateness(false, forecast.Probability, NextAssessmentAt: forecast.NextAssessmentAt, ShipByYields: speaks));
        }

        // An estimate is only worth quoting when it is past the promise.
        var estimate = forecast.ExpectedDeliveryAt > facts.PromisedBy ? forecast.ExpectedDeliveryAt : null;
        record = record with { RaisedAt = now, Probability = forecast.Probability, EstimatedDeliveryAt = estimate, RaisedIn = Mode };
        await PredictionRows.SaveAsync(c, tx, record);
        return new PredictionStep(new PredictedLateness(true, forecast.Probability, estimate, ShipByYields: speaks), Raised: true, Record: record);
    }

    /// <summary>After the order's transaction committed: the lesson goes into the cached model.</summary>
    public void Committed(PredictionStep step)
    {
        if (step.Lesson is { } lesson)
        {
            model.Learned(lesson.Rows, lesson.Version);
        }
    }

    private async Task<PredictionStep> CloseAsync(DbConnection c, DbTransaction tx, OrderTimeline timeline, OrderFacts facts, OrderPrediction record)
    {
        var changed = record;
        (IReadOnlyList<HistogramRow>, long)? lesson = null;
        var closedAt = timeline.CancelledAt ?? timeline.DeliveredAt!.Value;
        if (record.ClosedAt is null)
        {
            changed = changed with { ClosedAt = closedAt };
            if (!timeline.IsCancelled && model.Lesson(facts, closedAt) is { } rows)
            {
                lesson = (rows, await PredictionRows.AddLessonAsync(c, tx, rows));
            }
        }

        PredictionOutcome? outcome = null;
        if (record.RaisedAt is not null && record.Outcome is null)
        {
            outcome = timeline.IsCancelled ? PredictionOutcome.Cancelled
                : timeline.DeliveredAt <= facts.PromisedBy ? PredictionOutcome.FalseAlarm
                : PredictionOutcome.Late;
            changed = changed with { Outcome = outcome };
        }

        if (changed != record)
        {
            await PredictionRows.SaveAsync(c, tx, changed);
            foreach (var observer in _observers)
            {
                observer.Closed(timeline.OrderId, closedAt, !timeline.IsCancelled);
            }
        }

        return new PredictionStep(null, lesson, Outcome: outcome, Record: changed);
    }
}
