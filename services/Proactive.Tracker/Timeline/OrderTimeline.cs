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

/// <summary>
/// The newest snapshot of the order: the promise and how to reach the customer; where it ships from
/// and to and who fulfils it, when the shop says (for the lateness model; no rule uses them).
/// </summary>
public sealed record OrderTerms(
    DateTimeOffset PromisedBy,
    DateTimeOffset? ShipBy,
    Customer Customer,
    string? TrackingUrl,
    DateTimeOffset AsOf,
    Place? ShipFrom = null,
    Place? ShipTo = null,
    string? FulfilledBy = null)
{
    public static OrderTerms From(OrderSnapshot snapshot) => new(
        snapshot.PromisedBy.ToDateTimeOffset(),
        snapshot.ShipBy?.ToDateTimeOffset(),
        snapshot.Customer,
        snapshot.TrackingUrl.Length > 0 ? snapshot.TrackingUrl : null,
        snapshot.OccurredAt.ToDateTimeOffset(),
        Place.From(snapshot.ShipFrom),
        Place.From(snapshot.ShipTo),
        snapshot.FulfilledBy.Length > 0 ? snapshot.FulfilledBy : null);
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

/// <summary>One shipment: the newest status and the newest estimate, each by occurredAt.</summary>
public sealed record ShipmentState(
    string ShipmentId,
    string? Carrier,
    string? TrackingNumber,
    ShipmentStatus Status,
    DateTimeOffset? StatusAt,
    DateTimeOffset? EstimatedDeliveryAt,
    string? Location,
    CarrierExceptionCode? ExceptionCode,
    string? ServiceLevel = null,
    Place? ShipFrom = null,
    DateTimeOffset? HandedOverAt = null)
{
    public static ShipmentState Unknown(string id) => new(id, null, null, ShipmentStatus.Created, null, null, null, null);

    public ShipmentState Apply(ShipmentCreated created, DateTimeOffset at) => this with
    {
        Carrier = NonEmpty(created.Carrier) ?? Carrier,
        TrackingNumber = NonEmpty(created.TrackingNumber) ?? TrackingNumber,
        EstimatedDeliveryAt = created.EstimatedDeliveryAt?.ToDateTimeOffset() ?? EstimatedDeliveryAt,
        StatusAt = StatusAt ?? at,
        ServiceLevel = NonEmpty(created.ServiceLevel) ?? ServiceLevel,
        ShipFrom = Place.From(created.ShipFrom) ?? ShipFrom,
        HandedOverAt = HandedOverAt ?? at,
    };

    /// <summary>A scan before any shipment.created also says the carrier has the parcel (a delivery
    /// scan says when it arrived, not when the carrier took it).</summary>
    public ShipmentState Apply(ShipmentTracking tracking, DateTimeOffset at) => this with
    {
        HandedOverAt = HandedOverAt ?? (tracking.Status == TrackingStatus.Delivered ? null : at),
        Status = Map(tracking.Status),
        StatusAt = at,
        EstimatedDeliveryAt = tracking.EstimatedDeliveryAt?.ToDateTimeOffset() ?? EstimatedDeliveryAt,
        Location = NonEmpty(tracking.Location) ?? Location,
        ExceptionCode = tracking.Status == TrackingStatus.Exception ? Map(tracking.Exception.Code) : null,
    };

    private static string? NonEmpty(string value) => value.Length > 0 ? value : null;

    private static ShipmentStatus Map(TrackingStatus status) => status switch
    {
        TrackingStatus.InTransit => ShipmentStatus.InTransit,
        TrackingStatus.OutForDelivery => ShipmentStatus.OutForDelivery,
        TrackingStatus.DeliveryAttempted => ShipmentStatus.DeliveryAttempted,
        TrackingStatus.Exception => ShipmentStatus.Exception,
        TrackingStatus.Delivered => ShipmentStatus.Delivered,
        TrackingStatus.ReturnedToSender => ShipmentStatus.ReturnedToSender,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "validated events always carry a status"),
    };

    private static CarrierExceptionCode Map(ShipmentTracking.Types.CarrierException.Types.Code code) => code switch
    {
        ShipmentTracking.Types.CarrierException.Types.Code.Weather => CarrierExceptionCode.Weather,
        ShipmentTracking.Types.CarrierException.Types.Code.CarrierDelay => CarrierExceptionCode.CarrierDelay,
        ShipmentTracking.Types.CarrierException.Types.Code.AddressIssue => CarrierExceptionCode.AddressIssue,
        ShipmentTracking.Types.CarrierException.Types.Code.Customs => CarrierExceptionCode.Customs,
        ShipmentTracking.Types.CarrierException.Types.Code.Damaged => CarrierExceptionCode.Damaged,
        ShipmentTracking.Types.CarrierException.Types.Code.Lost => CarrierExceptionCode.Lost,
        _ => CarrierExceptionCode.Other,
    };
}
