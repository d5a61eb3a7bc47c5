using System.Text.Json;
using CloudNative.CloudEvents;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.CloudEvents;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// The AppCallback gRPC service daprd calls (--app-protocol grpc): the subscriptions, and single
/// and bulk topic events. Every event gets an answer — SUCCESS when processed or a duplicate, DROP
/// when it can never succeed (daprd parks it on the dead-letter topic), RETRY when it failed for a
/// reason that may pass — never an unhandled exception and never UNIMPLEMENTED, which daprd would
/// treat as a silent drop.
/// </summary>
public sealed partial class DaprAppCallback(
    IEnumerable<ITopicHandler> handlers,
    IOptions<DaprHostingOptions> options,
    ILogger<DaprAppCallback> logger) : AppCallback.AppCallbackBase
{
    private readonly Dictionary<string, ITopicHandler> byTopic = handlers.ToDictionary(h => h.Topic);

    public override Task<ListTopicSubscriptionsResponse> ListTopicSubscriptions(Empty request, ServerCallContext context)
    {
        var o = options.Value;
        var response = new ListTopicSubscriptionsResponse();
        response.Subscriptions.AddRange(byTopic.Keys.Order(StringComparer.Ordinal).Select(topic => new TopicSubscription
        {
            PubsubName = o.PubSubName,
            Topic = topic,
            DeadLetterTopic = o.DeadLetterTopicFor(topic),
            BulkSubscribe = new BulkSubscribeConfig
            {
                Enabled = true,
                MaxMessagesCount = o.BulkMaxMessages,
                MaxAwaitDurationMs = o.BulkMaxAwaitMilliseconds,
            },
        }));
        return Task.FromResult(response);
    }

    public override async Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context)
    {
        var outcome = await HandleAsync(request.Topic, request.Source, request.Id, () => DaprCloudEvents.ToCloudEvent(request), context.CancellationToken);
        return new TopicEventResponse { Status = ToStatus(outcome.Status) };
    }

    public override Task<TopicEventBulkResponse> OnBulkTopicEvent(TopicEventBulkRequest request, ServerCallContext context) =>
        HandleBulkAsync(request, context.CancellationToken);

    /// <summary>Answers every entry of a bulk delivery; an entry left out would be redelivered.</summary>
    public async Task<TopicEventBulkResponse> HandleBulkAsync(TopicEventBulkRequest request, CancellationToken cancellationToken)
    {
        var response = new TopicEventBulkResponse();
        foreach (var entry in request.Entries)
        {
            var outcome = entry.EventCase == TopicEventBulkRequestEntry.EventOneofCase.CloudEvent
                ? await HandleAsync(request.Topic, entry.CloudEvent.Source, entry.CloudEvent.Id, () => DaprCloudEvents.ToCloudEvent(entry.CloudEvent), cancellationToken)
                : await HandleAsync(request.Topic, "?", entry.EntryId, () => DaprCloudEvents.ToCloudEvent(entry), cancellationToken);
            response.Statuses.Add(new TopicEventBulkResponseEntry { EntryId = entry.EntryId, Status = ToStatus(outcome.Status) });
        }

        return response;
    }

    private async Task<TopicOutcome> HandleAsync(string topic, string source, string id, Func<CloudEvent> read, CancellationToken cancellationToken)
    {
        // Logged as received, so made safe to echo: bounded, no control characters.
        (source, id) = (CloudEventFormat.Printable(source), CloudEventFormat.Printable(id));
        if (!byTopic.TryGetValue(topic, out var handler))
        {
            LogDropped(logger, topic, source, id, "not a topic this service subscribes to");
            return TopicOutcome.Drop("unknown topic");
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = read();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidOperationException)
        {
            // Not a CloudEvent by the SDK's reading: it never will be, so no retry.
            var attributes = CloudEventFormat.AttributesOf(e);
            var reason = $"{(attributes.Count > 0 ? string.Join(", ", attributes) : "event")}: not a valid CloudEvent attribute ({e.GetType().Name})";
            LogDropped(logger, topic, source, id, reason);
            return TopicOutcome.Drop(reason);
        }

        TopicOutcome outcome;
        try
        {
            outcome = await handler.HandleAsync(cloudEvent, cancellationToken);
        }
        catch (JsonException)
        {
            outcome = TopicOutcome.Drop("the event is not JSON");
        }
        catch (Exception e)
        {
            // Store unavailable, timeout, a bug: worth another delivery; Dapr's resiliency policy
            // bounds the retries and then parks the event on the dead-letter topic.
            LogRetry(logger, topic, source, id, e);
            return TopicOutcome.Retry(e.GetType().Name);
        }

        if (outcome.Status == TopicStatus.Drop)
        {
            LogDropped(logger, topic, source, id, outcome.Reason ?? "");
        }

        return outcome;
    }

    private static TopicEventResponse.Types.TopicEventResponseStatus ToStatus(TopicStatus status) => status switch
    {
        TopicStatus.Success => TopicEventResponse.Types.TopicEventResponseStatus.Success,
        TopicStatus.Drop => TopicEventResponse.Types.TopicEventResponseStatus.Drop,
        _ => TopicEventResponse.Types.TopicEventResponseStatus.Retry,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped event {Source}/{EventId} on topic {Topic} (to the dead-letter topic): {Reason}")]
    private static partial void LogDropped(ILogger logger, string topic, string source, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Source}/{EventId} on topic {Topic} failed; asking Dapr to retry")]
    private static partial void LogRetry(ILogger logger, string topic, string source, string eventId, Exception exception);
}

/// <summary>The deprecated alpha name of bulk delivery, which daprd falls back to; same answers.</summary>
public sealed class DaprAppCallbackAlpha(DaprAppCallback callback) : AppCallbackAlpha.AppCallbackAlphaBase
{
    [Obsolete("Dapr deprecated the alpha name; daprd still falls back to it when OnBulkTopicEvent is missing.")]
    public override Task<TopicEventBulkResponse> OnBulkTopicEventAlpha1(TopicEventBulkRequest request, ServerCallContext context) =>
        callback.HandleBulkAsync(request, context.CancellationToken);
}

/// <summary>daprd's app health probe (--enable-app-health-check): the process answers.</summary>
public sealed class DaprAppHealth : AppCallbackHealthCheck.AppCallbackHealthCheckBase
{
    public override Task<HealthCheckResponse> HealthCheck(Empty request, ServerCallContext context) =>
        Task.FromResult(new HealthCheckResponse());
}
