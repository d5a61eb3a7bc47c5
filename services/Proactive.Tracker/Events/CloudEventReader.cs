using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Proactive.Contracts.Events.V1;
using Proactive.ServiceDefaults.CloudEvents;

namespace Proactive.Tracker.Events;

/// <summary>
/// Reads one CloudEvent of the inbound contract into an <see cref="InboundEvent"/>, or says why it
/// cannot be ours, field by field. The envelope is read by the CloudEvents SDK (attribute names and
/// types, <c>data</c> versus <c>data_base64</c>); the contract's checks come on top. Both hostings
/// use it: the standalone ingest reads structured JSON, Dapr's AppCallback hands over the SDK's
/// event. Pure but for one memo: "now" comes in with the <see cref="EventTimeWindow"/>, the text of
/// data that can be stored as it came is remembered beside its message (<see cref="StoredPayload"/>);
/// nothing it is given throws.
/// </summary>
public static partial class CloudEventReader
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Reads a structured-mode event (JSON) that arrived for <paramref name="topic"/>.</summary>
    public static Result Read(JsonElement envelope, string topic, EventTimeWindow window) =>
        Guarded(() => ReadStructured(envelope, topic, window));

    /// <summary>Reads an event the SDK already decoded (Dapr's AppCallback), whose data may be bytes.</summary>
    public static Result Read(CloudEvent cloudEvent, string topic, EventTimeWindow window) =>
        Guarded(() => ReadEvent(cloudEvent, topic, window));

    /// <summary>Whatever the input, an answer: a bug in reading is a refusal of that event, never a failed request.</summary>
    private static Result Guarded(Func<Result> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return EventRejection.Of(null, null, "event", $"could not be read ({e.GetType().Name})");
        }
    }

    private static Result ReadStructured(JsonElement envelope, string topic, EventTimeWindow window)
    {
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            return EventRejection.Of(null, null, "event", "must be a JSON object (a CloudEvent in structured mode)");
        }

        var errors = new Dictionary<string, string[]>();
        JsonText.Check(envelope, "", errors);
        var source = errors.ContainsKey("source") ? null : Attribute(envelope, "source");
        var id = errors.ContainsKey("id") ? null : Attribute(envelope, "id");
        if (errors.Count > 0)
        {
            return new EventRejection(source, id, errors);
        }

        foreach (var property in envelope.EnumerateObject())
        {
            if (property.Name is not ("data" or "data_base64") && !IsAttributeValue(property.Value))
            {
                errors[CloudEventFormat.Printable(property.Name)] = ["must be a string, an integer or a Boolean (a CloudEvents attribute)"];
            }
        }

        if (errors.Count > 0)
        {
            return new EventRejection(source, id, errors);
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = CloudEventFormat.Json.ConvertFromJsonElement(envelope, CloudEventFormat.Extensions);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return new EventRejection(source, id, SdkErrors(e, envelope));
        }

        return ReadEvent(cloudEvent, topic, window);
    }

    private static Result ReadEvent(CloudEvent cloudEvent, string topic, EventTimeWindow window)
    {
        var errors = new Dictionary<string, string[]>();
        CheckAttributes(cloudEvent, errors);
        var source = errors.ContainsKey("source") ? null : cloudEvent.Source?.OriginalString;
        var id = errors.ContainsKey("id") ? null : cloudEvent.Id;
        var type = errors.ContainsKey("type") ? null : cloudEvent.Type;

        MessageDescriptor? descriptor = null;
        if (string.IsNullOrWhiteSpace(type))
        {
            errors.TryAdd("type", ["is required"]);
        }
        else if (!EventTypes.TryGet(type, out var typeTopic, out var known))
        {
            errors["type"] = [$"'{CloudEventFormat.Printable(type)}' is not a Proactive event type; expected one of {string.Join(", ", EventTypes.OnTopic(topic))}"];
        }
        else if (typeTopic != topic)
        {
            errors["type"] = [$"'{type}' is published on topic '{typeTopic}', not '{topic}'"];
        }
        else
        {
            descriptor = known;
        }

        var data = ReadData(cloudEvent, descriptor, errors);
        if (data is not null)
        {
            ContractRules.Validate(data, window, errors);
        }

        var knownType = type is not null && EventTypes.TryGet(type, out _, out _) ? type : null;
        if (errors.Count > 0 || data is null || source is null || id is null)
        {
            return new EventRejection(source, id, errors, knownType);
        }

        var (orderId, occurredAt) = Key(data);
        return new InboundEvent(
            source,
            id,
            type!,
            orderId,
            occurredAt,
            data,
            TraceParent(cloudEvent[CloudEventFormat.TraceParent] as string),
            cloudEvent[CloudEventFormat.TraceState] as string);
    }

    /// <summary>Every attribute bounded and free of control characters (the SDK allows neither in strings, a URI may hold them).</summary>
    private static void CheckAttributes(CloudEvent cloudEvent, Dictionary<string, string[]> errors)
    {
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            var text = value switch
            {
                string s => s,
                Uri uri => uri.OriginalString,
                _ => null,
            };
            if (text is null)
            {
                continue;
            }

            var max = attribute == CloudEventFormat.TraceState ? ContractLimits.MaxTraceStateLength : ContractLimits.MaxAttributeLength;
            if (ContractLimits.TextFault(text) is { } fault)
            {
                errors.TryAdd(attribute.Name, [fault]);
            }
            else if (text.Length > max)
            {
                errors.TryAdd(attribute.Name, [$"must be at most {max} characters"]);
            }
        }

        if (string.IsNullOrWhiteSpace(cloudEvent.Id))
        {
            errors.TryAdd("id", ["is required"]);
        }

        if (string.IsNullOrWhiteSpace(cloudEvent.Source?.OriginalString))
        {
            errors.TryAdd("source", ["is required"]);
        }
    }

    /// <summary>
    /// The event's data as JSON (the contract) or protobuf from data_base64 (a welcome extra). JSON
    /// that holds exactly the message read from it is remembered to be stored as it came (<see cref="StoredPayload"/>).
    /// </summary>
    private static IMessage? ReadData(CloudEvent cloudEvent, MessageDescriptor? descriptor, Dictionary<string, string[]> errors)
    {
        var contentType = cloudEvent.DataContentType;
        var mediaType = contentType is null or "application/json" ? contentType : contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType is "application/protobuf" or "application/x-protobuf")
        {
            if (cloudEvent.Data is not byte[] bytes)
            {
                errors["data_base64"] = ["is required with datacontenttype application/protobuf"];
                return null;
            }

            try
            {
                // Unknown fields are dropped, as the JSON form drops them: nothing unchecked is kept.
                return descriptor?.Parser.WithDiscardUnknownFields(true).ParseFrom(bytes);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException)
            {
                // ArgumentException: a string field that is not UTF-8 (the decoder refuses it).
                errors["data_base64"] = ["is not a protobuf message of this type"];
                return null;
            }
        }

        if (mediaType is not (null or "application/json" or "text/json"))
        {
            errors["datacontenttype"] = [$"'{CloudEventFormat.Printable(contentType!)}' is not supported; use application/json"];
            return null;
        }

        using var parsed = cloudEvent.Data is byte[] payload ? ParseJson(payload, errors) : null;
        var data = cloudEvent.Data switch
        {
            JsonElement element => element,
            byte[] when parsed is not null => parsed.RootElement,
            _ => (JsonElement?)null,
        };
        if (data is not { ValueKind: not JsonValueKind.Null } json)
        {
            errors.TryAdd("data", ["is required"]);
            return null;
        }

        // Structured JSON read by Read(JsonElement) was walked whole with its envelope; data that came as
        // bytes (Dapr) is walked here. (A Dapr bulk entry given as a whole event's bytes was decoded by the
        // SDK, which refuses a key given twice; its data's strings are checked on the message, ContractRules.)
        if (parsed is not null)
        {
            JsonText.Check(json, "data", errors);
        }

        if (descriptor is null || errors.Keys.Any(k => k == "data" || k.StartsWith("data.", StringComparison.Ordinal) || k.StartsWith("data[", StringComparison.Ordinal)))
        {
            return null;
        }

        if (ProtoJsonShape.TryRead(json, descriptor, out var read, out var exact))
        {
            if (exact)
            {
                // Every value in the text is one of the message's, which the contract's rules check next.
                // Data that came as bytes is valid UTF-8 (checked above): its text is those bytes.
                StoredPayload.Remember(read, cloudEvent.Data is byte[] utf8 ? Encoding.UTF8.GetString(utf8) : json.GetRawText());
            }

            return read;
        }

        var shapeErrors = new Dictionary<string, string[]>();
        ProtoJsonShape.Check(json, descriptor, "data", shapeErrors);
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
            return Parser.Parse(ProtoJsonShape.Without(json, shapeErrors.Keys), descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            errors["data"] = ["does not match the event's schema"];
            return null;
        }
    }

    /// <summary>Data that came as bytes (Dapr): UTF-8 JSON, or an error naming data.</summary>
    private static JsonDocument? ParseJson(byte[] payload, Dictionary<string, string[]> errors)
    {
        if (!System.Text.Unicode.Utf8.IsValid(payload))
        {
            errors["data"] = ["is not valid UTF-8"];
            return null;
        }

        try
        {
            return JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            errors["data"] = ["is not valid JSON"];
            return null;
        }
    }

    /// <summary>What the SDK refused, by attribute; a value the SDK could not even name is blamed on the event.</summary>
    private static Dictionary<string, string[]> SdkErrors(Exception e, JsonElement envelope)
    {
        var errors = new Dictionary<string, string[]>();
        if (e is FormatException && envelope.TryGetProperty("data_base64", out _))
        {
            // The SDK decodes data_base64 last, and a bad one surfaces as a bare FormatException.
            errors["data_base64"] = ["is not valid base64"];
            return errors;
        }

        foreach (var attribute in CloudEventFormat.AttributesOf(e))
        {
            errors[attribute] = [attribute switch
            {
                "specversion" => "must be \"1.0\"",
                "time" => "must be an RFC 3339 timestamp",
                "datacontenttype" when envelope.TryGetProperty("datacontenttype", out var type) =>
                    $"'{CloudEventFormat.Printable(type.ToString())}' is not supported; use application/json",
                "datacontenttype" => "must be a media type, e.g. application/json",
                _ when e.Message.Contains("missing required", StringComparison.OrdinalIgnoreCase) => "is required",
                _ => $"is not valid: {CloudEventFormat.Printable(FirstSentence(e.Message))}",
            }];
        }

        if (errors.Count == 0)
        {
            errors["event"] = [$"is not a CloudEvent: {CloudEventFormat.Printable(FirstSentence(e.Message))}"];
        }

        return errors;
    }

    private static string FirstSentence(string message) => message.Split(" (Parameter", 2)[0];

    private static bool IsAttributeValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
        JsonValueKind.Number => value.TryGetInt32(out _),
        _ => false,
    };

    private static (string OrderId, DateTimeOffset OccurredAt) Key(IMessage data) => data switch
    {
        OrderSnapshot o => (o.OrderId, o.OccurredAt.ToDateTimeOffset()),
        OrderCancelled c => (c.OrderId, c.OccurredAt.ToDateTimeOffset()),
        ShipmentCreated s => (s.OrderId, s.OccurredAt.ToDateTimeOffset()),
        ShipmentTracking t => (t.OrderId, t.OccurredAt.ToDateTimeOffset()),
        _ => throw new ArgumentException($"Not a contract message: {data.Descriptor.FullName}", nameof(data)),
    };

    /// <summary>
    /// A W3C traceparent to continue, or null: an all-zero one means "no context" (Dapr sends it when
    /// the publisher had none), and a malformed one is ignored, as W3C trace context says.
    /// </summary>
    private static string? TraceParent(string? traceParent) =>
        traceParent is not null && W3CTraceParent().IsMatch(traceParent)
            && !traceParent.Contains("-00000000000000000000000000000000-", StringComparison.Ordinal)
            ? traceParent
            : null;

    private static string? Attribute(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")]
    private static partial Regex W3CTraceParent();

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
