using Proactive.Contracts.Events.V1;
using Proactive.Tracker.Events;
using TrackingStatus = Proactive.Contracts.Events.V1.ShipmentTracking.Types.Status;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// Which events set a shipment's fields that a tracking event overwrites: the newest tracking
/// event (status, its time, the exception), the newest event with an estimate and the newest
/// tracking event with a location (null: none yet). With them a tracking event that arrives late
/// — older than events already folded, as carriers' scans often do — is folded in exactly, without
/// reading the order's events again: each of those fields is the value of the newest event that set
/// it, and when the carrier first had the parcel is the oldest such event's time
/// (<see cref="Merge"/>).
/// </summary>
public sealed record ShipmentKeys(string ShipmentId, TimelineKey? Status, TimelineKey? Estimate, TimelineKey? Location)
{
    /// <summary>The keys after <paramref name="e"/>, which sorts after every event already folded.</summary>
    public ShipmentKeys After(InboundEvent e) => e.Data switch
    {
        ShipmentCreated created when created.EstimatedDeliveryAt is not null => this with { Estimate = TimelineKey.Of(e) },
        ShipmentTracking tracking => this with
        {
            Status = TimelineKey.Of(e),
            Estimate = tracking.EstimatedDeliveryAt is not null ? TimelineKey.Of(e) : Estimate,
            Location = tracking.Location.Length > 0 ? TimelineKey.Of(e) : Location,
        },
        _ => this,
    };

    /// <summary>
    /// The shipment with a late tracking event <paramref name="e"/> folded in (its key is new and
    /// sorts before the newest event folded): what folding every event in order gives, since each
    /// field a tracking event writes is the newest writer's value (compared by key here) and the
    /// hand-over time the oldest one's.
    /// </summary>
    public (ShipmentState Shipment, ShipmentKeys Keys) Merge(ShipmentState shipment, ShipmentTracking tracking, InboundEvent e)
    {
        var key = TimelineKey.Of(e);
        var (merged, keys) = (shipment, this);
        if (Status is not { } status || key > status)
        {
            // What Apply writes of every tracking event; the rest is kept below by its own key.
            var applied = shipment.Apply(tracking, e.OccurredAt);
            merged = merged with { Status = applied.Status, StatusAt = applied.StatusAt, ExceptionCode = applied.ExceptionCode };
            keys = keys with { Status = key };
        }

        if (tracking.EstimatedDeliveryAt is { } estimate && (Estimate is not { } newest || key > newest))
        {
            merged = merged with { EstimatedDeliveryAt = estimate.ToDateTimeOffset() };
            keys = keys with { Estimate = key };
        }

        if (tracking.Location.Length > 0 && (Location is not { } located || key > located))
        {
            merged = merged with { Location = tracking.Location };
            keys = keys with { Location = key };
        }

        if (tracking.Status != TrackingStatus.Delivered && (shipment.HandedOverAt is not { } handedOver || e.OccurredAt < handedOver))
        {
            merged = merged with { HandedOverAt = e.OccurredAt };
        }

        return (merged, keys);
    }
}
