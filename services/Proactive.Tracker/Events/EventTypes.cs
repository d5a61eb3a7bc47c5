using Google.Protobuf.Reflection;
using Proactive.Contracts;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Events;

/// <summary>
/// The CloudEvent types of the inbound contract (v1), the topic each is published on and its data
/// message. The names themselves are in <see cref="Contracts.Topics"/> and <see cref="CloudEventTypes"/>.
/// </summary>
public static class EventTypes
{
    /// <summary>The topics Tracker takes events from.</summary>
    public static readonly IReadOnlyList<string> Topics = [Contracts.Topics.Orders, Contracts.Topics.Shipments];

    private static readonly Dictionary<string, (string Topic, MessageDescriptor Descriptor)> Known = new()
    {
        [CloudEventTypes.OrderPlaced] = (Contracts.Topics.Orders, OrderSnapshot.Descriptor),
        [CloudEventTypes.OrderUpdated] = (Contracts.Topics.Orders, OrderSnapshot.Descriptor),
        [CloudEventTypes.OrderCancelled] = (Contracts.Topics.Orders, OrderCancelled.Descriptor),
        [CloudEventTypes.ShipmentCreated] = (Contracts.Topics.Shipments, ShipmentCreated.Descriptor),
        [CloudEventTypes.ShipmentTracking] = (Contracts.Topics.Shipments, ShipmentTracking.Descriptor),
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
