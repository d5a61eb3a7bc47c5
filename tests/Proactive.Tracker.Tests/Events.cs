using System.Text.Json;
using System.Text.Json.Nodes;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Tests;

internal static class Events
{
    public static CloudEventReader.Result Read(JsonNode envelope, string? topic = null)
    {
        using var doc = JsonDocument.Parse(envelope.ToJsonString());
        var type = envelope["type"]?.GetValue<string>() ?? "";
        return CloudEventReader.Read(doc.RootElement.Clone(), topic ?? (type.Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders"));
    }

    public static InboundEvent Valid(JsonNode envelope)
    {
        var result = Read(envelope);
        result.Rejection.ShouldBeNull(result.Rejection?.Summary);
        return result.Event!;
    }
}
