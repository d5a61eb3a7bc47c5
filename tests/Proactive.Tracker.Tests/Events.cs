using System.Text.Json;
using System.Text.Json.Nodes;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Tests;

internal static class Events
{
    /// <summary>The clock the reader judges test events by, unless a test gives its own: after every date the tests use.</summary>
    public static readonly DateTimeOffset Now = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static CloudEventReader.Result Read(JsonNode envelope, string? topic = null, DateTimeOffset? now = null)
    {
        using var doc = JsonDocument.Parse(envelope.ToJsonString());
        var type = envelope["type"]?.GetValue<string>() ?? "";
        return CloudEventReader.Read(
            doc.RootElement.Clone(),
            topic ?? (type.Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders"),
            EventTimeWindow.Around(now ?? Now));
    }

    public static InboundEvent Valid(JsonNode envelope)
    {
        var result = Read(envelope);
        result.Rejection.ShouldBeNull(result.Rejection?.Summary);
        return result.Event!;
    }
}
