using System.Globalization;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proactive.ServiceDefaults.CloudEvents;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// Builds the SDK's <see cref="CloudEvent"/> from what daprd sends over gRPC: the attributes are
/// fields of the request, every other attribute (time, traceparent, pubsubname...) arrives in
/// <c>extensions</c>, and <c>data</c> is the bytes of the payload (already decoded from
/// <c>data_base64</c>). Attribute names, types and required attributes are the SDK's: a bad one
/// throws <see cref="ArgumentException"/> naming it (see <see cref="CloudEventFormat.AttributesOf"/>).
/// </summary>
public static class DaprCloudEvents
{
    private static readonly HashSet<string> FromFields = ["specversion", "id", "source", "type", "datacontenttype", "data", "data_base64"];

    public static CloudEvent ToCloudEvent(TopicEventRequest request) =>
        Build(request.SpecVersion, request.Id, request.Source, request.Type, request.DataContentType, request.Data, request.Extensions);

    public static CloudEvent ToCloudEvent(TopicEventCERequest request) =>
        Build(request.SpecVersion, request.Id, request.Source, request.Type, request.DataContentType, request.Data, request.Extensions);

    /// <summary>A bulk entry given as the bytes of a structured-mode event rather than as fields.</summary>
    public static CloudEvent ToCloudEvent(TopicEventBulkRequestEntry entry) =>
        CloudEventFormat.Json.DecodeStructuredModeMessage(entry.Bytes.Memory, null, CloudEventFormat.Extensions);

    private static CloudEvent Build(string specVersion, string id, string source, string type, string contentType, ByteString data, Struct? extensions)
    {
        var version = CloudEventsSpecVersion.FromVersionId(specVersion)
            ?? throw new ArgumentException("Unsupported CloudEvents spec version");
        var cloudEvent = new CloudEvent(version, CloudEventFormat.Extensions);
        Set(cloudEvent, "id", id);
        Set(cloudEvent, "source", source);
        Set(cloudEvent, "type", type);
        Set(cloudEvent, "datacontenttype", contentType);
        foreach (var (name, value) in extensions?.Fields ?? [])
        {
            if (!FromFields.Contains(name))
            {
                Set(cloudEvent, name, AttributeText(name, value));
            }
        }

        cloudEvent.Data = data.IsEmpty ? null : data.ToByteArray();
        return Validation.CheckCloudEventArgument(cloudEvent, "request");
    }

    private static void Set(CloudEvent cloudEvent, string name, string? text)
    {
        // Protobuf has no absent string: empty means "not given", and the SDK then names what is missing.
        if (!string.IsNullOrEmpty(text))
        {
            cloudEvent.SetAttributeFromString(name, text);
        }
    }

    /// <summary>An extension value as the JSON event format reads it: a string, an integer or a Boolean.</summary>
    private static string? AttributeText(string name, Value value) => value.KindCase switch
    {
        Value.KindOneofCase.StringValue => value.StringValue,
        Value.KindOneofCase.BoolValue => CloudEventAttributeType.Boolean.Format(value.BoolValue),
        Value.KindOneofCase.NumberValue when value.NumberValue % 1 == 0 && value.NumberValue is >= int.MinValue and <= int.MaxValue =>
            CloudEventAttributeType.Integer.Format((int)value.NumberValue),
        Value.KindOneofCase.NullValue or Value.KindOneofCase.None => null,
        _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Invalid value for CloudEvent attribute '{name}': {value.KindCase}")),
    };
}
