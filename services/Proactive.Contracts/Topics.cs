namespace Proactive.Contracts;

/// <summary>
/// The pub/sub topics of the contract. The deploy files (deploy/, charts/) spell them out;
/// DeployFilesTests checks they agree with these.
/// </summary>
public static class Topics
{
    /// <summary>Order events, in: <see cref="CloudEventTypes.OrderPlaced"/>, updated, cancelled.</summary>
    public const string Orders = "orders";

    /// <summary>Shipment events, in: <see cref="CloudEventTypes.ShipmentCreated"/>, tracking.</summary>
    public const string Shipments = "shipments";

    /// <summary>Tracker to Notifier: <see cref="CloudEventTypes.DelayEpisodeChanged"/>.</summary>
    public const string Notices = "notices";
}

/// <summary>The CloudEvent <c>type</c> of each message of the contract (proto/proactive/…).</summary>
public static class CloudEventTypes
{
    public const string OrderPlaced = "proactive.order.placed.v1";
    public const string OrderUpdated = "proactive.order.updated.v1";
    public const string OrderCancelled = "proactive.order.cancelled.v1";
    public const string ShipmentCreated = "proactive.shipment.created.v1";
    public const string ShipmentTracking = "proactive.shipment.tracking.v1";

    /// <summary>Tracker's <c>DelayEpisodeChanged</c>, on <see cref="Topics.Notices"/>.</summary>
    public const string DelayEpisodeChanged = "proactive.delay.episode.v1";
}
