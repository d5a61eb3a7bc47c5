using Google.Protobuf;
using Proactive.Contracts.Events.V1;
using Proactive.Tracker.Events;
using TrackingStatus = Proactive.Contracts.Events.V1.ShipmentTracking.Types.Status;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// What is known about one order, folded from every event stored for it. The fold sorts by
/// occurredAt, so the result is the same in any arrival order: an older fact never overwrites a
/// newer one, and a tracking update that came before its order is simply part of the fold once
/// the order arrives.
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

    public static OrderTimeline Fold(string orderId, IEnumerable<InboundEvent> events)
    {
        OrderTerms? terms = null;
        DateTimeOffset? placedAt = null;
        DateTimeOffset? cancelledAt = null;
        var shipments = new Dictionary<string, ShipmentState>(StringComparer.Ordinal);

        var ordered = events
            .OrderBy(e => e.OccurredAt)
            .ThenBy(e => e.Source, StringComparer.Ordinal)
            .ThenBy(e => e.Id, StringComparer.Ordinal);
        foreach (var e in ordered)
        {
            switch (e.Data)
            {
                case OrderSnapshot snapshot:
                    terms = OrderTerms.From(snapshot);
                    placedAt ??= e.OccurredAt;
                    break;
                case OrderCancelled:
                    cancelledAt ??= e.OccurredAt;
                    break;
                case ShipmentCreated created:
                    shipments[created.ShipmentId] = Shipment(shipments, created.ShipmentId).Apply(created, e.OccurredAt);
                    break;
                case ShipmentTracking tracking:
                    shipments[tracking.ShipmentId] = Shipment(shipments, tracking.ShipmentId).Apply(tracking, e.OccurredAt);
                    break;
            }
        }

        return new OrderTimeline(
            orderId,
            terms,
            cancelledAt,
            shipments.Values.OrderBy(s => s.ShipmentId, StringComparer.Ordinal).ToList(),
            placedAt);
    }

    private static ShipmentState Shipment(Dictionary<string, ShipmentState> shipments, string id) =>
        shipments.TryGetValue(id, out var existing) ? existing : ShipmentState.Unknown(id);
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
