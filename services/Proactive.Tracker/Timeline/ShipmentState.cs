using Proactive.Contracts.Events.V1;
using TrackingStatus = Proactive.Contracts.Events.V1.ShipmentTracking.Types.Status;

namespace Proactive.Tracker.Timeline;

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
