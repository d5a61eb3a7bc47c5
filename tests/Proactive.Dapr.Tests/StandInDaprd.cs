using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Proactive.Dapr.Tests;

/// <summary>
/// Calls an app's AppCallback service the way daprd does with --app-protocol grpc: the request
/// built from the CloudEvent as in daprd's GRPCEnvelopeFromSubscriptionMessage (attributes as
/// fields, data re-serialized, every other key in extensions) with the pubsubname and traceparent
/// metadata. Dapr.Protos has no client stub for AppCallback, so the methods are declared here.
/// </summary>
public sealed class StandInDaprd(string appAddress, string pubsubName = "pubsub", string? apiToken = null) : IDisposable
{
    private const string Callback = "dapr.proto.runtime.v1.AppCallback";
    private readonly GrpcChannel channel = GrpcChannel.ForAddress(appAddress);

    public Task<ListTopicSubscriptionsResponse> ListTopicSubscriptionsAsync() =>
        Call(Callback, "ListTopicSubscriptions", new Empty(), ListTopicSubscriptionsResponse.Parser);

    public Task<TopicEventResponse> OnTopicEventAsync(string topic, JsonObject cloudEvent, string? traceParent = null) =>
        Call(Callback, "OnTopicEvent", Request(topic, cloudEvent), TopicEventResponse.Parser, traceParent ?? cloudEvent["traceparent"]?.GetValue<string>());

    public Task<TopicEventBulkResponse> OnBulkTopicEventAsync(string topic, IEnumerable<JsonObject> cloudEvents, bool alpha = false) =>
        Call(alpha ? "dapr.proto.runtime.v1.AppCallbackAlpha" : Callback, alpha ? "OnBulkTopicEventAlpha1" : "OnBulkTopicEvent", BulkRequest(topic, cloudEvents), TopicEventBulkResponse.Parser);

    /// <summary>Delivers an event built by hand (what no JSON library writes, or bytes that are not UTF-8).</summary>
    public Task<TopicEventResponse> OnTopicEventAsync(string topic, TopicEventCERequest cloudEvent)
    {
        var request = new TopicEventRequest
        {
            Id = cloudEvent.Id,
            Source = cloudEvent.Source,
            Type = cloudEvent.Type,
            SpecVersion = cloudEvent.SpecVersion,
            DataContentType = cloudEvent.DataContentType,
            Data = cloudEvent.Data,
            Topic = topic,
            PubsubName = pubsubName,
            Path = "",
            Extensions = cloudEvent.Extensions,
        };
        return Call(Callback, "OnTopicEvent", request, TopicEventResponse.Parser);
    }

    /// <summary>A bulk delivery of events built by hand, as entry-0, entry-1...</summary>
    public Task<TopicEventBulkResponse> OnBulkTopicEventAsync(string topic, IEnumerable<TopicEventCERequest> cloudEvents)
    {
        var bulk = new TopicEventBulkRequest { Id = Guid.NewGuid().ToString(), Topic = topic, PubsubName = pubsubName, Type = "com.dapr.event.sent.bulk", Path = "" };
        bulk.Entries.AddRange(cloudEvents.Select((e, n) => new TopicEventBulkRequestEntry { EntryId = $"entry-{n}", CloudEvent = e, ContentType = "application/cloudevents+json" }));
        return Call(Callback, "OnBulkTopicEvent", bulk, TopicEventBulkResponse.Parser);
    }

    /// <summary>The CloudEvent part of a delivery as daprd builds it from structured JSON.</summary>
    public TopicEventCERequest CloudEvent(string topic, JsonObject cloudEvent)
    {
        var e = Ce(cloudEvent);
        e.Extensions = Extensions(cloudEvent, topic);
        return e;
    }

    public Task<HealthCheckResponse> HealthCheckAsync() =>
        Call("dapr.proto.runtime.v1.AppCallbackHealthCheck", "HealthCheck", new Empty(), HealthCheckResponse.Parser);

    public GrpcChannel Channel => channel;

    public TopicEventRequest Request(string topic, JsonObject cloudEvent)
    {
        var e = Ce(cloudEvent);
        var request = new TopicEventRequest
        {
            Id = e.Id,
            Source = e.Source,
            Type = e.Type,
            SpecVersion = e.SpecVersion,
            DataContentType = e.DataContentType,
            Data = e.Data,
            Topic = topic,
            PubsubName = pubsubName,
            Path = "",
            Extensions = Extensions(cloudEvent, topic),
        };
        return request;
    }

    private TopicEventBulkRequest BulkRequest(string topic, IEnumerable<JsonObject> cloudEvents)
    {
        var bulk = new TopicEventBulkRequest { Id = Guid.NewGuid().ToString(), Topic = topic, PubsubName = pubsubName, Type = "com.dapr.event.sent.bulk", Path = "" };
        var n = 0;
        foreach (var cloudEvent in cloudEvents)
        {
            var e = Ce(cloudEvent);
            e.Extensions = Extensions(cloudEvent, topic);
            bulk.Entries.Add(new TopicEventBulkRequestEntry { EntryId = $"entry-{n++}", CloudEvent = e, ContentType = "application/cloudevents+json" });
        }

        return bulk;
    }

    private TopicEventCERequest Ce(JsonObject cloudEvent)
    {
        string S(string name) => cloudEvent[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var data = cloudEvent["data"] switch
        {
            null => ByteString.Empty,
            JsonValue v when v.TryGetValue<string>(out var text) => ByteString.CopyFromUtf8(text),
            var node => ByteString.CopyFromUtf8(node.ToJsonString()),
        };
        return new TopicEventCERequest
        {
            Id = S("id"),
            Source = S("source"),
            Type = S("type"),
            SpecVersion = S("specversion"),
            DataContentType = S("datacontenttype"),
            Data = data,
        };
    }

    private Struct Extensions(JsonObject cloudEvent, string topic)
    {
        string[] attributes = ["id", "source", "datacontenttype", "type", "specversion", "data", "data_base64"];
        var extensions = new JsonObject { ["topic"] = topic, ["pubsubname"] = pubsubName };
        foreach (var (key, value) in cloudEvent)
        {
            if (!attributes.Contains(key))
            {
                extensions[key] = value?.DeepClone();
            }
        }

        return JsonParser.Default.Parse<Struct>(extensions.ToJsonString());
    }

    private async Task<TResponse> Call<TRequest, TResponse>(string service, string method, TRequest request, MessageParser<TResponse> parser, string? traceParent = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var definition = new Method<TRequest, TResponse>(
            MethodType.Unary,
            service,
            method,
            Marshallers.Create<TRequest>(m => m.ToByteArray(), _ => throw new NotSupportedException()),
            Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom));
        var headers = new Metadata { { "pubsubname", pubsubName } };
        if (traceParent is not null)
        {
            headers.Add("traceparent", traceParent);
        }

        if (apiToken is not null)
        {
            headers.Add("dapr-api-token", apiToken);
        }

        return await channel.CreateCallInvoker().AsyncUnaryCall(definition, null, new CallOptions(headers, cancellationToken: TestContext.Current.CancellationToken), request);
    }

    public void Dispose() => channel.Dispose();
}
