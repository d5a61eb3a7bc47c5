using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Events;

/// <summary>
/// Reads one structured-mode CloudEvent (JSON) of the inbound contract into an
/// <see cref="InboundEvent"/>, or says why it cannot be ours, field by field.
/// Both hostings use it: the standalone ingest endpoint and the Dapr AppCallback.
/// </summary>
public static class CloudEventReader
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Reads an envelope that arrived for <paramref name="topic"/>.</summary>
    public static Result Read(JsonElement envelope, string topic)
    {
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            return EventRejection.Of(null, null, "event", "must be a JSON object (a CloudEvent in structured mode)");
        }

        var source = OptionalString(envelope, "source");
        var id = OptionalString(envelope, "id");
        var errors = new Dictionary<string, string[]>();

        var specVersion = OptionalString(envelope, "specversion");
        if (specVersion != "1.0")
        {
            errors["specversion"] = ["must be \"1.0\""];
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            errors["id"] = ["is required"];
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            errors["source"] = ["is required"];
        }

        var type = OptionalString(envelope, "type");
        MessageDescriptor? descriptor = null;
        if (string.IsNullOrWhiteSpace(type))
        {
            errors["type"] = ["is required"];
        }
        else if (!EventTypes.TryGet(type, out var typeTopic, out var known))
        {
            errors["type"] = [$"'{Truncate(type)}' is not a Proactive event type; expected one of {string.Join(", ", EventTypes.OnTopic(topic))}"];
        }
        else if (typeTopic != topic)
        {
            errors["type"] = [$"'{type}' is published on topic '{typeTopic}', not '{topic}'"];
        }
        else
        {
            descriptor = known;
        }

        var data = ReadData(envelope, descriptor, errors);
        if (data is not null)
        {
            ContractRules.Validate(data, errors);
        }

        if (errors.Count > 0 || data is null)
        {
            return new EventRejection(source, id, errors);
        }

        var (orderId, occurredAt) = Key(data);
        return new InboundEvent(
            source!,
            id!,
            type!,
            orderId,
            occurredAt,
            data,
            NonZeroTraceParent(OptionalString(envelope, "traceparent")),
            OptionalString(envelope, "tracestate"));
    }

    /// <summary>Reads the event's data as JSON (the contract) or protobuf in data_base64 (a welcome extra).</summary>
    private static IMessage? ReadData(JsonElement envelope, MessageDescriptor? descriptor, Dictionary<string, string[]> errors)
    {
        var contentType = OptionalString(envelope, "datacontenttype");
        var mediaType = contentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        var hasData = envelope.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null;
        var hasBase64 = envelope.TryGetProperty("data_base64", out var base64) && base64.ValueKind != JsonValueKind.Null;

        if (mediaType is "application/protobuf" or "application/x-protobuf")
        {
            if (!hasBase64 || base64.ValueKind != JsonValueKind.String)
            {
                errors["data_base64"] = ["is required with datacontenttype application/protobuf"];
                return null;
            }

            if (descriptor is null)
            {
                return null;
            }

            try
            {
                return descriptor.Parser.ParseFrom(Convert.FromBase64String(base64.GetString()!));
            }
            catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
            {
                errors["data_base64"] = ["is not a base64-encoded protobuf message of this type"];
                return null;
            }
        }

        if (mediaType is not (null or "application/json" or "text/json"))
        {
            errors["datacontenttype"] = [$"'{Truncate(contentType!)}' is not supported; use application/json"];
            return null;
        }

        if (!hasData)
        {
            errors["data"] = ["is required"];
            return null;
        }

        if (descriptor is null)
        {
            return null;
        }

        var shapeErrors = new Dictionary<string, string[]>();
        ProtoJsonShape.Check(data, descriptor, "data", shapeErrors);
        foreach (var (field, messages) in shapeErrors)
        {
            errors[field] = messages;
        }

        if (shapeErrors.ContainsKey("data"))
        {
            return null;
        }

        try
        {
            // Parse what is well-formed, so the contract's rules can report the other fields too.
            return Parser.Parse(ProtoJsonShape.Without(data, shapeErrors.Keys), descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            errors["data"] = ["does not match the event's schema"];
            return null;
        }
    }

    private static (string OrderId, DateTimeOffset OccurredAt) Key(IMessage data) => data switch
    {
        OrderSnapshot o => (o.OrderId, o.OccurredAt.ToDateTimeOffset()),
        OrderCancelled c => (c.OrderId, c.OccurredAt.ToDateTimeOffset()),
        ShipmentCreated s => (s.OrderId, s.OccurredAt.ToDateTimeOffset()),
        ShipmentTracking t => (t.OrderId, t.OccurredAt.ToDateTimeOffset()),
        _ => throw new ArgumentException($"Not a contract message: {data.Descriptor.FullName}", nameof(data)),
    };

    /// <summary>An all-zero traceparent means "no context" (Dapr sends it when the publisher had none).</summary>
    private static string? NonZeroTraceParent(string? traceParent) =>
        traceParent is null || traceParent.Contains("-00000000000000000000000000000000-", StringComparison.Ordinal)
            ? null
            : traceParent;

    private static string? OptionalString(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    /// <summary>Either an event to process or the reasons it was refused.</summary>
    public readonly struct Result
    {
        private Result(InboundEvent? accepted, EventRejection? refused) => (Event, Rejection) = (accepted, refused);

        public InboundEvent? Event { get; }

        public EventRejection? Rejection { get; }

        public static implicit operator Result(InboundEvent accepted) => new(accepted, null);

        public static implicit operator Result(EventRejection refused) => new(null, refused);
    }
}
