using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Prediction;

/// <summary>What the model needs to know about one order (from order.placed and shipment.created).</summary>
/// <param name="Zone">The order's zone (customer.timeZone, else the shop's): its delivery-day clock.</param>
/// <param name="HandedOverAt">When the seller handed the parcel to the carrier (shipment.created), if yet.</param>
/// <param name="ShipFrom">shipFrom.region.</param>
/// <param name="ShipTo">shipTo.region.</param>
/// <param name="FulfilledBy">The seller or warehouse.</param>
public sealed record OrderFacts(
    TimeZoneInfo Zone,
    DateTimeOffset PlacedAt,
    DateTimeOffset PromisedBy,
    DateTimeOffset? HandedOverAt = null,
    string? ShipFrom = null,
    string? ShipTo = null,
    string? FulfilledBy = null,
    string? Carrier = null,
    string? ServiceLevel = null)
{
    /// <summary>
    /// The facts of an order's timeline: placed when its first snapshot happened, handed over with its
    /// first shipment; regions fall back to the country; the zone is the customer's, else
    /// <paramref name="defaultZone"/>. Null before the order itself is known.
    /// </summary>
    public static OrderFacts? Of(OrderTimeline timeline, TimeZoneInfo defaultZone)
    {
        if (timeline is not { Terms: { } terms, PlacedAt: { } placedAt })
        {
            return null;
        }

        var shipment = timeline.FirstHandedOver;
        var shipFrom = shipment is null ? terms.ShipFrom : timeline.ShipFromOf(shipment);
        return new OrderFacts(
            Zones.Find(terms.Customer.TimeZone) ?? defaultZone,
            placedAt,
            terms.PromisedBy,
            shipment?.HandedOverAt,
            shipFrom?.Region ?? shipFrom?.Country,
            terms.ShipTo?.Region ?? terms.ShipTo?.Country,
            terms.FulfilledBy,
            shipment?.Carrier,
            shipment?.ServiceLevel);
    }

    /// <summary>Transit groups, coarse to fine: global → destination → lane; keyed by carrier/service level when known.</summary>
    public IReadOnlyList<string> TransitGroups()
    {
        var groups = new List<string> { "global" };
        var prefix = "";
        if (!string.IsNullOrEmpty(Carrier))
        {
            prefix = string.IsNullOrEmpty(ServiceLevel) ? $"carrier:{Carrier}" : $"carrier:{Carrier}/{ServiceLevel}";
            groups.Add(prefix);
            prefix += "|";
        }

        if (!string.IsNullOrEmpty(ShipTo))
        {
            groups.Add($"{prefix}to:{ShipTo}");
            if (!string.IsNullOrEmpty(ShipFrom))
            {
                groups.Add($"{prefix}lane:{ShipFrom}>{ShipTo}");
            }
        }

        return groups;
    }

    /// <summary>Handling groups, coarse to fine: global → origin → seller.</summary>
    public IReadOnlyList<string> HandlingGroups()
    {
        var groups = new List<string> { "global" };
        if (!string.IsNullOrEmpty(ShipFrom))
        {
            groups.Add($"from:{ShipFrom}");
        }

        if (!string.IsNullOrEmpty(FulfilledBy))
        {
            groups.Add($"seller:{FulfilledBy}");
        }

        return groups;
    }
}

/// <summary>
/// The model's word on one open order.
/// </summary>
/// <param name="Probability">P(late), with the evening look-ahead applied; null while the model is not ready.</param>
/// <param name="AtRisk">Probability reached the threshold.</param>
/// <param name="NextAssessmentAt">When to look again (due-timer): the instant P would reach the threshold, at most ReassessAfter ahead and never past the promise.</param>
/// <param name="ExpectedDeliveryAt">The conditional median delivery instant, for a parcel in transit.</param>
public sealed record LatenessForecast(double? Probability, bool AtRisk, DateTimeOffset NextAssessmentAt, DateTimeOffset? ExpectedDeliveryAt);
