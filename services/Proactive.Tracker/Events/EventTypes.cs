using Google.Protobuf.Reflection;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Events;

/// <summary>The CloudEvent types of the inbound contract (v1) and the topic each is published on.</summary>
public static class EventTypes
{
    public const string OrderPlaced = "proactive.order.placed.v1";
    public const string OrderUpdated = "proactive.order.updated.v1";
    public const string OrderCancelled = "proactive.order.cancelled.v1";
    public const string ShipmentCreated = "proactive.shipment.created.v1";
    public const string ShipmentTracking = "proactive.shipment.tracking.v1";

    public const string OrdersTopic = "orders";
    public const string ShipmentsTopic = "shipments";

    public static readonly IReadOnlyList<string> Topics = [OrdersTopic, ShipmentsTopic];

    private static readonly Dictionary<string, (string Topic, MessageDescriptor Descriptor)> Known = new()
    {
        [OrderPlaced] = (OrdersTopic, OrderSnapshot.Descriptor),
        [OrderUpdated] = (OrdersTopic, OrderSnapshot.Descriptor),
        [OrderCancelled] = (OrdersTopic, Contracts.Events.V1.OrderCancelled.Descriptor),
        [ShipmentCreated] = (ShipmentsTopic, Contracts.Events.V1.ShipmentCreated.Descriptor),
        [ShipmentTracking] = (ShipmentsTopic, Contracts.Events.V1.ShipmentTracking.Descriptor),
    };

    public static bool TryGet(string type, out string topic, out MessageDescriptor descriptor)
    {
        if (Known.TryGetValue(type, out var entry))
        {
            (topic, descriptor) = entry;
            return true;
        }

        (topic, descriptor) = ("", OrderSnapshot.Descriptor);
        return false;
    }

    public static IEnumerable<string> OnTopic(string topic) =>
        Known.Where(k => k.Value.Topic == topic).Select(k => k.Key);
}
