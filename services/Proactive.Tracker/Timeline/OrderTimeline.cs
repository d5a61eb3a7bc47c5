using Google.Protobuf;
using Proactive.Contracts.Events.V1;
using Proactive.Tracker.Events;
using TrackingStatus = Proactive.Contracts.Events.V1.ShipmentTracking.Types.Status;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// What is known about one order, folded from every event stored for it. The fold sorts by
/// occurredAt (then source, then id), so the result is the same in any arrival order: an older fact
/// never overwrites a newer one, and a tracking update that came before its order is simply part
/// of the fold once the order arrives.
/// </summary>
public sealed record OrderTimeline(
    string OrderId,
    OrderTerms? Terms,
    DateTimeOffset? CancelledAt,
    IReadOnlyList<ShipmentState> Shipments,
    DateTimeOffset? PlacedAt = null)
{
    public bool IsCancelled => CancelledAt is not null;

    /// <summary>When the last shipment was delivered, once every one is.</summary>
    public DateTimeOffset? DeliveredAt => IsDelivered ? Shipments.Max(s => s.StatusAt) : null;

    /// <summary>The first shipment handed to a carrier (for the lateness model).</summary>
    public ShipmentState? FirstHandedOver => Shipments.Where(s => s.HandedOverAt is not null).MinBy(s => s.HandedOverAt);

    /// <summary>At least one shipment, and every shipment delivered.</summary>
    public bool IsDelivered => Shipments.Count > 0 && Shipments.All(s => s.Status == ShipmentStatus.Delivered);

    public IEnumerable<ShipmentState> OpenShipments => Shipments.Where(s => s.Status != ShipmentStatus.Delivered);

    /// <summary>Where <paramref name="shipment"/> leaves from: its own shipFrom, else the order's.</summary>
    public Place? ShipFromOf(ShipmentState shipment) => shipment.ShipFrom ?? Terms?.ShipFrom;

    /// <summary>
    /// Folds every event of the order: <see cref="Apply"/> from <see cref="Start"/>, in
    /// <see cref="TimelineKey"/> order. Because it is a left fold, a timeline can be carried forward
    /// by applying newer events to it (<see cref="TimelineState.TryAppend"/>), and a stored one is
    /// trusted only while <see cref="TimelineSnapshot.FormatVersion"/> matches: bump that constant
    /// whenever what Apply makes of an event changes, or the shape of OrderTimeline, OrderTerms,
    /// ShipmentState or Place changes, so every stored timeline is folded again from its events.
    /// A late tracking event is folded in field by field (<see cref="ShipmentKeys.Merge"/>): what
    /// Apply writes of a tracking or created event must stay in step with it (the fold tests say
    /// when not).
    /// </summary>
    public static OrderTimeline Fold(string orderId, IEnumerable<InboundEvent> events) =>
        TimelineKey.Sort(events).Aggregate(Start(orderId), (timeline, e) => timeline.Apply(e));

    /// <summary>The order before any event.</summary>
    public static OrderTimeline Start(string orderId) => new(orderId, null, null, [], null);

    /// <summary>The timeline after <paramref name="e"/>, which must come after every event already
    /// folded in (in <see cref="TimelineKey"/> order); the order's id stays as it is.</summary>
    public OrderTimeline Apply(InboundEvent e) => e.Data switch
    {
        OrderSnapshot snapshot => this with { Terms = OrderTerms.From(snapshot), PlacedAt = PlacedAt ?? e.OccurredAt },
        OrderCancelled => this with { CancelledAt = CancelledAt ?? e.OccurredAt },
        ShipmentCreated created => WithShipment(created.ShipmentId, s => s.Apply(created, e.OccurredAt)),
        ShipmentTracking tracking => WithShipment(tracking.ShipmentId, s => s.Apply(tracking, e.OccurredAt)),
        _ => this,
    };

    /// <summary>Shipments stay sorted by id (ordinal), as a fold over any arrival order lists them.</summary>
    private OrderTimeline WithShipment(string id, Func<ShipmentState, ShipmentState> change)
    {
        var shipments = new List<ShipmentState>(Shipments.Count + 1);
        shipments.AddRange(Shipments);
        var at = shipments.FindIndex(s => string.CompareOrdinal(s.ShipmentId, id) >= 0);
        if (at >= 0 && shipments[at].ShipmentId == id)
        {
            shipments[at] = change(shipments[at]);
        }
        else
        {
            shipments.Insert(at >= 0 ? at : shipments.Count, change(ShipmentState.Unknown(id)));
        }

        return this with { Shipments = shipments };
    }
}

/// <summary>A contract Address: country (ISO 3166-1 alpha-2), region and postal code when given.</summary>
public sealed record Place(string Country, string? Region, string? PostalCode)
{
    public static Place? From(Address? address) => address is null
        ? null
        : new Place(address.Country, NonEmpty(address.Region), NonEmpty(address.PostalCode));

    private static string? NonEmpty(string value) => value.Length > 0 ? value : null;
}

public enum ShipmentStatus
{
    Created,
    InTransit,
    OutForDelivery,
    DeliveryAttempted,
    Exception,
    Delivered,
    ReturnedToSender,
}

public enum CarrierExceptionCode
{
    Weather,
    CarrierDelay,
    AddressIssue,
    Customs,
    Damaged,
    Lost,
    Other,
}
