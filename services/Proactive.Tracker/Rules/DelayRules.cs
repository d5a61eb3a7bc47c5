using NodaTime;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Rules;

/// <summary>
/// The delay rules: pure functions of an order's timeline and the time. When several rules fire,
/// the reason reported is the one that matters most to the customer (one they must act on first).
/// </summary>
public static class DelayRules
{
    public static DelayAssessment Assess(OrderTimeline timeline, DateTimeOffset now, RuleSettings? settings = null, PredictedLateness? predicted = null)
    {
        settings ??= RuleSettings.Default;
        if (Settled(timeline) is { } settled)
        {
            return settled;
        }

        var terms = timeline.Terms!;
        var open = timeline.OpenShipments.ToList();
        var fired = ShipmentReasons(open, terms, now, settings)
            .Concat(OrderReasons(timeline, terms, open, now, settings, predicted))
            .ToList();
        var nextCheck = Earliest(NextCheck(terms, timeline, open, now, settings), predicted?.NextAssessmentAt);
        return fired.Count == 0
            ? new DelayAssessment(OrderState.OnTrack, EstimatedDeliveryAt: Estimate(open), NextCheckAt: nextCheck)
            : Late(fired, terms, open, predicted, nextCheck);
    }

    /// <summary>An order with nothing left to judge: not placed yet, cancelled or delivered.</summary>
    private static DelayAssessment? Settled(OrderTimeline timeline) =>
        timeline.Terms is null ? new DelayAssessment(OrderState.AwaitingOrder)
        : timeline.IsCancelled ? new DelayAssessment(OrderState.Cancelled)
        : timeline.IsDelivered ? new DelayAssessment(OrderState.Delivered)
        : null;

    /// <summary>What each open shipment says: an exception, a return, a failed attempt, an estimate past the promise, silence.</summary>
    private static IEnumerable<Fired> ShipmentReasons(IReadOnlyList<ShipmentState> open, OrderTerms terms, DateTimeOffset now, RuleSettings settings)
    {
        foreach (var shipment in open)
        {
            switch (shipment.Status)
            {
                case ShipmentStatus.Exception:
                    yield return new Fired(DelayReason.CarrierException, shipment.ExceptionCode, shipment);
                    break;
                case ShipmentStatus.ReturnedToSender:
                    yield return new Fired(DelayReason.ReturnedToSender, Shipment: shipment);
                    break;
                case ShipmentStatus.DeliveryAttempted:
                    yield return new Fired(DelayReason.DeliveryAttempted, Shipment: shipment);
                    break;
            }

            if (shipment.EstimatedDeliveryAt > terms.PromisedBy)
            {
                yield return new Fired(DelayReason.EtaSlip, Shipment: shipment);
            }

            if (StalledFrom(shipment, terms, settings) is { } stalledFrom && now >= stalledFrom)
            {
                yield return new Fired(DelayReason.Stalled, Shipment: shipment);
            }
        }
    }

    /// <summary>What the order's clock and the model say: promise missed, not shipped in time, the last call, predicted late.</summary>
    private static IEnumerable<Fired> OrderReasons(
        OrderTimeline timeline, OrderTerms terms, IReadOnlyList<ShipmentState> open, DateTimeOffset now, RuleSettings settings, PredictedLateness? predicted)
    {
        if (now > terms.PromisedBy)
        {
            yield return new Fired(DelayReason.MissedPromise);
        }

        if (terms.ShipBy is { } shipBy && now > shipBy && timeline.Shipments.Count == 0 && predicted is not { ShipByYields: true })
        {
            yield return new Fired(DelayReason.NotShipped);
        }

        if (LastCallAt(terms, open, settings) is { } lastCall && now >= lastCall)
        {
            yield return new Fired(DelayReason.PromiseAtRisk);
        }

        if (predicted is { AtRisk: true })
        {
            yield return new Fired(DelayReason.PredictedLate);
        }
    }

    /// <summary>The late verdict: the reason that matters most (see <see cref="Priority"/>), with its estimate and carrier.</summary>
    private static DelayAssessment Late(
        IReadOnlyList<Fired> fired, OrderTerms terms, IReadOnlyList<ShipmentState> open, PredictedLateness? predicted, DateTimeOffset? nextCheck)
    {
        var recordOnly = predicted?.RecordOnly == true;
        var top = fired.OrderBy(f => Priority(f.Reason, f.Code, recordOnly)).First();
        var estimate = Estimate(open);
        return new DelayAssessment(
            OrderState.Late,
            top.Reason,
            top.Code,
            top.Reason == DelayReason.PredictedLate && !(estimate > terms.PromisedBy) ? predicted!.EstimatedDeliveryAt : estimate,
            top.Shipment?.Carrier ?? open.FirstOrDefault(s => s.Carrier is not null)?.Carrier,
            nextCheck);
    }

    /// <summary>The latest estimate of the open shipments.</summary>
    private static DateTimeOffset? Estimate(IReadOnlyList<ShipmentState> open) => open.Select(s => s.EstimatedDeliveryAt).Max();

    /// <summary>A rule that fired, and the shipment it fired for (none for the order's own rules).</summary>
    private readonly record struct Fired(DelayReason Reason, CarrierExceptionCode? Code = null, ShipmentState? Shipment = null);

    /// <summary>
    /// Lower comes first. A stall ranks below an ETA slip (a new estimate past the promise comes with
    /// a date; silence does not) and above a missed promise: when the promise has passed and the
    /// parcel has also gone quiet, "no tracking update" says why it is late, which "did not arrive
    /// by the promised date" does not. And a stall usually shows first (its window opens
    /// <see cref="RuleSettings.StallAfter"/> before the promise), so the reason already told stays
    /// the same when the promise then passes, instead of flipping to the vaguer one. A prediction
    /// ranks below every confirmed reason (a fact outranks a forecast) and above the last call —
    /// unless it is for the record only: the last call is then the customer's first word.
    /// </summary>
    private static int Priority(DelayReason reason, CarrierExceptionCode? code, bool recordOnlyPrediction = false) => reason switch
    {
        DelayReason.CarrierException when code == CarrierExceptionCode.AddressIssue => 0,
        DelayReason.ReturnedToSender => 1,
        DelayReason.CarrierException => 2,
        DelayReason.DeliveryAttempted => 3,
        DelayReason.EtaSlip => 4,
        DelayReason.Stalled => 5,
        DelayReason.MissedPromise => 6,
        DelayReason.NotShipped => 7,
        DelayReason.PredictedLate => recordOnlyPrediction ? 10 : 8,
        DelayReason.PromiseAtRisk => 9,
        _ => 11,
    };

    /// <summary>
    /// The last call: the instant at which an order not yet out for delivery counts as at risk of
    /// missing its promise, or null if the rule is off or a shipment is out for delivery. It is
    /// <see cref="RuleSettings.LastCallTime"/> on the promise's own day in the customer's zone
    /// (<c>customer.timeZone</c>, else <see cref="RuleSettings.DefaultTimeZone"/>); when the promise
    /// is at or before that time of its day, the same time the day before, so the customer is told
    /// before the promise passes and at a decent hour. A local time that a clock change skips is
    /// moved on by the length of the gap (02:30 on a spring-forward night is 03:30). Ranked lowest, it is said only when nothing else is: an open
    /// episode with a reason of its own keeps that reason.
    /// </summary>
    private static DateTimeOffset? LastCallAt(OrderTerms terms, IReadOnlyList<ShipmentState> open, RuleSettings settings)
    {
        if (!settings.LastCall || open.Any(s => s.Status == ShipmentStatus.OutForDelivery))
        {
            return null;
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(terms.Customer.TimeZone)
            ?? DateTimeZoneProviders.Tzdb.GetZoneOrNull(settings.DefaultTimeZone)
            ?? DateTimeZone.Utc;
        var promise = Instant.FromDateTimeOffset(terms.PromisedBy);
        var time = LocalTime.FromTimeOnly(settings.LastCallTime);
        var promiseDay = promise.InZone(zone).Date;
        var call = zone.AtLeniently(promiseDay.At(time)).ToInstant();
        if (call >= promise)
        {
            call = zone.AtLeniently(promiseDay.PlusDays(-1).At(time)).ToInstant();
        }

        return call.ToDateTimeOffset();
    }

    /// <summary>
    /// The instant from which a shipment counts as stalled, or null if it cannot stall: in transit
    /// or out for delivery, no tracking update for <see cref="RuleSettings.StallAfter"/>, and the
    /// promise at most that far away (or already past). Both bounds are inclusive. A new tracking
    /// update moves <see cref="ShipmentState.StatusAt"/>, and so this instant.
    /// </summary>
    private static DateTimeOffset? StalledFrom(ShipmentState shipment, OrderTerms terms, RuleSettings settings) =>
        shipment is { Status: ShipmentStatus.InTransit or ShipmentStatus.OutForDelivery, StatusAt: { } lastUpdate }
            ? Max(Plus(lastUpdate, settings.StallAfter), Plus(terms.PromisedBy, -settings.StallAfter))
            : null;

    /// <summary>
    /// The next instant at which a time-based rule (not shipped, missed promise, stalled, last call)
    /// can fire. Not shipped and missed promise fire once their instant has passed (hence +1 ms);
    /// stalled and the last call fire at their instant, so that instant itself is the timer.
    /// </summary>
    private static DateTimeOffset? NextCheck(
        OrderTerms terms, OrderTimeline timeline, IReadOnlyList<ShipmentState> open, DateTimeOffset now, RuleSettings settings)
    {
        var candidates = new List<DateTimeOffset>();
        if (terms.ShipBy is { } shipBy && shipBy >= now && timeline.Shipments.Count == 0)
        {
            candidates.Add(shipBy.AddMilliseconds(1));
        }

        if (terms.PromisedBy >= now)
        {
            candidates.Add(terms.PromisedBy.AddMilliseconds(1));
        }

        if (LastCallAt(terms, open, settings) is { } lastCall && lastCall > now)
        {
            candidates.Add(lastCall);
        }

        foreach (var shipment in open)
        {
            if (StalledFrom(shipment, terms, settings) is { } stalledFrom && stalledFrom > now)
            {
                candidates.Add(stalledFrom);
            }
        }

        return candidates.Count > 0 ? candidates.Min() : null;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a <= b ? a : b;

    /// <summary>
    /// <paramref name="at"/> + <paramref name="span"/> in UTC, held within the range of
    /// <see cref="DateTimeOffset"/> (the contract does not bound its timestamps).
    /// </summary>
    private static DateTimeOffset Plus(DateTimeOffset at, TimeSpan span)
    {
        var utc = at.ToUniversalTime();
        return span >= TimeSpan.Zero
            ? (DateTimeOffset.MaxValue - utc <= span ? DateTimeOffset.MaxValue : utc + span)
            : (utc - DateTimeOffset.MinValue <= -span ? DateTimeOffset.MinValue : utc + span);
    }
}
