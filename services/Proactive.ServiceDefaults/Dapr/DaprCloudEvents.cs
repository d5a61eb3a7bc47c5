using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// Turns what daprd sends over gRPC back into the structured CloudEvent JSON it came from:
/// the attributes are fields of the request, <c>data</c> is bytes, and every other attribute
/// (traceparent, time, pubsubname...) arrives in <c>extensions</c>.
/// </summary>
public static class DaprCloudEvents
{
    public static JsonElement ToJson(TopicEventRequest request) =>
        ToJson(request.Id, request.Source, request.Type, request.SpecVersion, request.DataContentType, request.Data, request.Extensions);

    public static JsonElement ToJson(TopicEventCERequest request) =>
        ToJson(request.Id, request.Source, request.Type, request.SpecVersion, request.DataContentType, request.Data, request.Extensions);

    private static JsonElement ToJson(string id, string source, string type, string specVersion, string contentType, ByteString data, Struct? extensions)
    {
        var cloudEvent = new JsonObject();
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions.Fields)
            {
                cloudEvent[key] = JsonNode.Parse(JsonFormatter.Default.Format(value));
            }
        }

        cloudEvent["id"] = id;
        cloudEvent["source"] = source;
        cloudEvent["type"] = type;
        cloudEvent["specversion"] = specVersion;
        if (contentType.Length > 0)
        {
            cloudEvent["datacontenttype"] = contentType;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType is "" or "application/json" or "text/json" or "application/cloudevents+json")
        {
            cloudEvent["data"] = TryParse(data) ?? JsonValue.Create(data.ToStringUtf8());
        }
        else
        {
            cloudEvent["data_base64"] = data.ToBase64();
        }

        return JsonSerializer.SerializeToElement(cloudEvent);
    }

    private static JsonNode? TryParse(ByteString data)
    {
        try
        {
            return data.IsEmpty ? null : JsonNode.Parse(data.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
