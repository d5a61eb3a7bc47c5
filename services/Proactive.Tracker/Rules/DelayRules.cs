using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Rules;

public enum DelayReason
{
    EtaSlip,
    CarrierException,
    DeliveryAttempted,
    NotShipped,
    MissedPromise,
    ReturnedToSender,
}

public enum OrderState
{
    /// <summary>Events for the order arrived, but not the order itself: nothing to judge yet.</summary>
    AwaitingOrder,
    OnTrack,
    Late,
    Delivered,
    Cancelled,
}

/// <summary>The verdict on one order at one instant.</summary>
public sealed record DelayAssessment(
    OrderState State,
    DelayReason? Reason = null,
    CarrierExceptionCode? ExceptionCode = null,
    DateTimeOffset? EstimatedDeliveryAt = null,
    string? Carrier = null,
    DateTimeOffset? NextCheckAt = null)
{
    /// <summary>The customer must do something (fix the address) for the parcel to arrive.</summary>
    public bool ActionRequired => ExceptionCode == CarrierExceptionCode.AddressIssue;

    /// <summary>The CX team should reach out as well (the parcel is damaged or lost).</summary>
    public bool Escalate => ExceptionCode is CarrierExceptionCode.Damaged or CarrierExceptionCode.Lost;
}

/// <summary>
/// The delay rules: pure functions of an order's timeline and the time. When several rules fire,
/// the reason reported is the one that matters most to the customer (one they must act on first).
/// </summary>
public static class DelayRules
{
    public static DelayAssessment Assess(OrderTimeline timeline, DateTimeOffset now)
    {
        if (timeline.Terms is not { } terms)
        {
            return new DelayAssessment(OrderState.AwaitingOrder);
        }

        if (timeline.IsCancelled)
        {
            return new DelayAssessment(OrderState.Cancelled);
        }

        if (timeline.IsDelivered)
        {
            return new DelayAssessment(OrderState.Delivered);
        }

        var open = timeline.OpenShipments.ToList();
        var estimate = open.Select(s => s.EstimatedDeliveryAt).Max();
        var nextCheck = NextCheck(terms, timeline, now);

        var fired = new List<(DelayReason Reason, CarrierExceptionCode? Code, ShipmentState? Shipment)>();
        foreach (var shipment in open)
        {
            switch (shipment.Status)
            {
                case ShipmentStatus.Exception:
                    fired.Add((DelayReason.CarrierException, shipment.ExceptionCode, shipment));
                    break;
                case ShipmentStatus.ReturnedToSender:
                    fired.Add((DelayReason.ReturnedToSender, null, shipment));
                    break;
                case ShipmentStatus.DeliveryAttempted:
                    fired.Add((DelayReason.DeliveryAttempted, null, shipment));
                    break;
            }

            if (shipment.EstimatedDeliveryAt > terms.PromisedBy)
            {
                fired.Add((DelayReason.EtaSlip, null, shipment));
            }
        }

        if (now > terms.PromisedBy)
        {
            fired.Add((DelayReason.MissedPromise, null, null));
        }

        if (terms.ShipBy is { } shipBy && now > shipBy && timeline.Shipments.Count == 0)
        {
            fired.Add((DelayReason.NotShipped, null, null));
        }

        if (fired.Count == 0)
        {
            return new DelayAssessment(OrderState.OnTrack, NextCheckAt: nextCheck);
        }

        var top = fired.OrderBy(f => Priority(f.Reason, f.Code)).First();
        return new DelayAssessment(
            OrderState.Late,
            top.Reason,
            top.Code,
            estimate,
            top.Shipment?.Carrier ?? open.FirstOrDefault(s => s.Carrier is not null)?.Carrier,
            nextCheck);
    }

    /// <summary>Lower comes first.</summary>
    private static int Priority(DelayReason reason, CarrierExceptionCode? code) => reason switch
    {
        DelayReason.CarrierException when code == CarrierExceptionCode.AddressIssue => 0,
        DelayReason.ReturnedToSender => 1,
        DelayReason.CarrierException => 2,
        DelayReason.DeliveryAttempted => 3,
        DelayReason.EtaSlip => 4,
        DelayReason.MissedPromise => 5,
        _ => 6,
    };

    /// <summary>The next instant at which a time-based rule (not shipped, missed promise) can fire.</summary>
    private static DateTimeOffset? NextCheck(OrderTerms terms, OrderTimeline timeline, DateTimeOffset now)
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

        return candidates.Count > 0 ? candidates.Min() : null;
    }
}
