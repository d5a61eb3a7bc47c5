using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.CloudEvents;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// The AppCallback gRPC service daprd calls (--app-protocol grpc): the subscriptions, and single
/// and bulk topic events. Every event gets an answer — SUCCESS when processed or a duplicate, DROP
/// when it can never succeed (daprd parks it on the dead-letter topic), RETRY only when the store
/// is unavailable — never an unhandled exception and never UNIMPLEMENTED, which daprd would
/// treat as a silent drop. An event its handler fails on is held and retried here, on its own
/// (see <see cref="HoldAsync"/>): a RETRY would hold every later event of its partition behind
/// it, and daprd's delivery circuit breaker would stop the whole subscription.
/// </summary>
public sealed partial class DaprAppCallback(
    IEnumerable<ITopicHandler> handlers,
    IOptions<DaprHostingOptions> options,
    ItemFailures failures,
    ILogger<DaprAppCallback> logger) : AppCallback.AppCallbackBase
{
    private readonly Dictionary<string, ITopicHandler> byTopic = handlers.ToDictionary(h => h.Topic);

    /// <summary>Each subscribed topic by the name of its dead-letter topic.</summary>
    private readonly Dictionary<string, string> byDeadLetterTopic = handlers.ToDictionary(h => options.Value.DeadLetterTopicFor(h.Topic), h => h.Topic);

    /// <summary>
    /// The queues of this service's held events and dead letters, each kept with its payload and
    /// retried from there (two services may share one database).
    /// </summary>
    public IReadOnlyCollection<string> HeldQueues => [.. byTopic.Keys.Select(QueueFor), .. DeadLetterQueues];

    /// <summary>The queues of this service's dead letters, one per subscribed topic.</summary>
    public IReadOnlyCollection<string> DeadLetterQueues => [.. byTopic.Keys.Select(DeadLetterQueueFor)];

    public override Task<ListTopicSubscriptionsResponse> ListTopicSubscriptions(Empty request, ServerCallContext context)
    {
        var o = options.Value;
        var response = new ListTopicSubscriptionsResponse();
        foreach (var topic in byTopic.Keys.Order(StringComparer.Ordinal))
        {
            response.Subscriptions.Add(new TopicSubscription
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
            });

            // The dead letters come back to us, one at a time: kept in the store, listed, replayed.
            response.Subscriptions.Add(new TopicSubscription { PubsubName = o.PubSubName, Topic = o.DeadLetterTopicFor(topic) });
        }

        return Task.FromResult(response);
    }

    public override async Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context)
    {
        if (byDeadLetterTopic.TryGetValue(request.Topic, out var deadLettersOf))
        {
            return new TopicEventResponse { Status = ToStatus((await KeepDeadLetterAsync(deadLettersOf, request, context.CancellationToken)).Status) };
        }

        var outcome = await HandleAsync(request.Topic, new Delivery(request.Id, request.Source, request.Id, () => DaprCloudEvents.ToCloudEvent(request)), context.CancellationToken);
        return new TopicEventResponse { Status = ToStatus(outcome.Status) };
    }

    public override Task<TopicEventBulkResponse> OnBulkTopicEvent(TopicEventBulkRequest request, ServerCallContext context) =>
        HandleBulkAsync(request, context.CancellationToken);

    /// <summary>
    /// Answers every entry of a bulk delivery, by its EntryId in the request's order (an entry left
    /// out would be redelivered). Every entry is read first, and the readable ones go to the
    /// handler together, as one unit (<see cref="ITopicHandler.HandleManyAsync"/>).
    /// </summary>
    public async Task<TopicEventBulkResponse> HandleBulkAsync(TopicEventBulkRequest request, CancellationToken cancellationToken)
    {
        if (byDeadLetterTopic.TryGetValue(request.Topic, out var deadLettersOf))
        {
            // Not subscribed in bulk; should daprd deliver so anyway, each entry is kept on its own.
            var kept = new TopicEventBulkResponse();
            foreach (var entry in request.Entries)
            {
                var outcome = await KeepDeadLetterAsync(deadLettersOf, AsSingle(request, entry), cancellationToken);
                kept.Statuses.Add(new TopicEventBulkResponseEntry { EntryId = entry.EntryId, Status = ToStatus(outcome.Status) });
            }

            return kept;
        }

        var deliveries = request.Entries.Select(entry => entry.EventCase == TopicEventBulkRequestEntry.EventOneofCase.CloudEvent
            ? new Delivery(entry.EntryId, entry.CloudEvent.Source, entry.CloudEvent.Id, () => DaprCloudEvents.ToCloudEvent(entry.CloudEvent))
            : new Delivery(entry.EntryId, "?", entry.EntryId, () => DaprCloudEvents.ToCloudEvent(entry))).ToList();
        var outcomes = await HandleManyAsync(request.Topic, deliveries, cancellationToken);
        var response = new TopicEventBulkResponse();
        response.Statuses.AddRange(deliveries.Select((d, i) => new TopicEventBulkResponseEntry { EntryId = d.EntryId, Status = ToStatus(outcomes[i].Status) }));
        return response;
    }

    private async Task<TopicOutcome> HandleAsync(string topic, Delivery delivery, CancellationToken cancellationToken)
    {
        if (Read(topic, delivery) is not { } cloudEvent)
        {
            return delivery.Refusal!;
        }

        TopicOutcome outcome;
        try
        {
            outcome = await byTopic[topic].HandleAsync(cloudEvent, cancellationToken);
        }
        catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
        {
            outcome = TopicOutcome.Failed(e);
        }
        catch (Exception e)
        {
            // The store is unavailable or we are stopping: nothing is wrong with the event, so
            // daprd delivers it again (its resiliency policy spaces the retries).
            LogRetry(logger, topic, delivery.Source, delivery.Id, e);
            return TopicOutcome.Retry(e.GetType().Name);
        }

        return await SettleAsync(topic, delivery, cloudEvent, outcome, cancellationToken);
    }

    private async Task<TopicOutcome[]> HandleManyAsync(string topic, List<Delivery> deliveries, CancellationToken cancellationToken)
    {
        var outcomes = new TopicOutcome[deliveries.Count];
        var readable = new List<(int Index, CloudEvent Event)>(deliveries.Count);
        for (var i = 0; i < deliveries.Count; i++)
        {
            if (Read(topic, deliveries[i]) is { } cloudEvent)
            {
                readable.Add((i, cloudEvent));
            }
            else
            {
                outcomes[i] = deliveries[i].Refusal!;
            }
        }

        if (readable.Count == 0)
        {
            return outcomes;
        }

        IReadOnlyList<TopicOutcome> handled;
        try
        {
            handled = await byTopic[topic].HandleManyAsync([.. readable.Select(r => r.Event)], cancellationToken);
            if (handled.Count != readable.Count)
            {
                throw new InvalidOperationException($"The handler of topic '{topic}' answered {handled.Count} of {readable.Count} events.");
            }
        }
        catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
        {
            // Not the store, yet the delivery failed as a whole: each event on its own, so the one at fault is held alone.
            foreach (var (index, _) in readable)
            {
                outcomes[index] = await HandleAsync(topic, deliveries[index], cancellationToken);
            }

            return outcomes;
        }
        catch (Exception e)
        {
            // The store is unavailable or we are stopping: nothing of the delivery was kept, so
            // daprd delivers every readable entry again.
            LogBulkRetry(logger, topic, readable.Count, e);
            foreach (var (index, _) in readable)
            {
                outcomes[index] = TopicOutcome.Retry(e.GetType().Name);
            }

            return outcomes;
        }

        for (var k = 0; k < readable.Count; k++)
        {
            var (index, cloudEvent) = readable[k];
            outcomes[index] = await SettleAsync(topic, deliveries[index], cloudEvent, handled[k], cancellationToken);
        }

        if (handled.Where(o => o.Status == TopicStatus.Retry).ToList() is { Count: > 0 } retried)
        {
            LogBulkRetry(logger, topic, retried.Count, retried[0].Failure);
        }

        return outcomes;
    }

    /// <summary>The delivery as a CloudEvent, or null with its DROP in <see cref="Delivery.Refusal"/> (unknown topic, not a CloudEvent).</summary>
    private CloudEvent? Read(string topic, Delivery delivery)
    {
        if (!byTopic.ContainsKey(topic))
        {
            LogDropped(logger, topic, delivery.Source, delivery.Id, "not a topic this service subscribes to");
            delivery.Refusal = TopicOutcome.Drop("unknown topic");
            return null;
        }

        try
        {
            return delivery.Read();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidOperationException)
        {
            // Not a CloudEvent by the SDK's reading: it never will be, so no retry.
            var attributes = CloudEventFormat.AttributesOf(e);
            var reason = $"{(attributes.Count > 0 ? string.Join(", ", attributes) : "event")}: not a valid CloudEvent attribute ({e.GetType().Name})";
            LogDropped(logger, topic, delivery.Source, delivery.Id, reason);
            delivery.Refusal = TopicOutcome.Drop(reason);
            return null;
        }
    }

    /// <summary>A handler's outcome made an answer: a failed event is held, a dropped one logged.</summary>
    private async Task<TopicOutcome> SettleAsync(string topic, Delivery delivery, CloudEvent cloudEvent, TopicOutcome outcome, CancellationToken cancellationToken)
    {
        switch (outcome.Status)
        {
            case TopicStatus.Failed:
                return await HoldAsync(topic, delivery.Source, delivery.Id, delivery.Key, cloudEvent, outcome.Failure ?? new InvalidOperationException(outcome.Reason), cancellationToken);
            case TopicStatus.Drop:
                LogDropped(logger, topic, delivery.Source, delivery.Id, outcome.Reason ?? "");
                break;
        }

        return outcome;
    }

    /// <summary>
    /// The handler failed on this event: it is kept in the store (the CloudEvent whole) and retried
    /// from there with backoff by <see cref="HeldEventRetry"/>, then parked, and daprd is told
    /// SUCCESS, so the events behind it on the partition go on. Only if it cannot even be kept
    /// (the store is down) daprd is asked to deliver it again.
    /// </summary>
    private async Task<TopicOutcome> HoldAsync(string topic, string source, string id, string key, CloudEvent cloudEvent, Exception error, CancellationToken cancellationToken)
    {
        try
        {
            var payload = Encoding.UTF8.GetString(CloudEventFormat.Json.EncodeStructuredModeMessage(cloudEvent, out _).Span);
            await failures.RecordAsync(QueueFor(topic), OrderIdOf(cloudEvent), key, error, cancellationToken, payload);
            return TopicOutcome.Success;
        }
        catch (Exception e)
        {
            LogRetry(logger, topic, source, id, e);
            return TopicOutcome.Retry(e.GetType().Name);
        }
    }

    /// <summary>
    /// Tries a held event or a dead letter again (its next attempt came, or it was retried or
    /// replayed through the API) and returns what its handler said: handled, it is forgotten;
    /// refused, it stays parked with the new reason; failed, it is retried with backoff.
    /// </summary>
    public async Task<TopicOutcome> RetryHeldAsync(ItemFailure held, CancellationToken cancellationToken)
    {
        var deadLetter = held.Queue.StartsWith(DeadLetterPrefix, StringComparison.Ordinal);
        var topic = held.Queue[(deadLetter ? DeadLetterPrefix : QueuePrefix).Length..];
        TopicOutcome outcome;
        try
        {
            outcome = !byTopic.TryGetValue(topic, out var handler) ? TopicOutcome.Drop("not a topic this service subscribes to")
                : deadLetter ? await HandleDeadLetterAsync(handler, held.Payload!, cancellationToken)
                : await handler.HandleAsync(CloudEventFormat.Json.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(held.Payload!), null, CloudEventFormat.Extensions), cancellationToken);
        }
        catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
        {
            await failures.RecordAsync(held.Queue, held.OrderId, held.ItemKey, e, cancellationToken);
            return TopicOutcome.Failed(e);
        }

        if (outcome.Status == TopicStatus.Success)
        {
            await failures.ClearAsync(held.Queue, held.ItemKey, cancellationToken);
            LogRecovered(logger, held.Queue, held.ItemKey, held.OrderId);
            return outcome;
        }

        // Refused now (or asked to be retried): it stays with us, counted, rather than be lost.
        await failures.RecordAsync(
            held.Queue, held.OrderId, held.ItemKey, new InvalidOperationException($"{outcome.Status}: {outcome.Reason}"), cancellationToken, park: outcome.Status == TopicStatus.Drop);
        return outcome;
    }

    /// <summary>A kept dead letter handled as its topic's event; one that is no CloudEvent is refused.</summary>
    private static async Task<TopicOutcome> HandleDeadLetterAsync(ITopicHandler handler, string payload, CancellationToken cancellationToken)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = DaprCloudEvents.ToCloudEvent(JsonParser.Default.Parse<TopicEventRequest>(payload));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidOperationException or InvalidProtocolBufferException)
        {
            return TopicOutcome.Drop(NotACloudEvent(e));
        }

        return await handler.HandleAsync(cloudEvent, cancellationToken);
    }

    /// <summary>
    /// A dead letter of <paramref name="topic"/> came back from daprd: kept, whole as daprd gave it,
    /// parked in queue <c>deadletter.{topic}</c> with the reason it would be refused now (or that it
    /// would not be: then daprd gave up on it), for GET /v1/dead-letters and a replay. SUCCESS once
    /// kept; RETRY when the store cannot keep it, so daprd delivers it again.
    /// </summary>
    private async Task<TopicOutcome> KeepDeadLetterAsync(string topic, TopicEventRequest request, CancellationToken cancellationToken)
    {
        var key = $"{request.Source}/{request.Id}";
        string reason;
        var orderId = "";
        try
        {
            var cloudEvent = DaprCloudEvents.ToCloudEvent(request);
            orderId = OrderIdOf(cloudEvent);
            reason = byTopic[topic].Refusal(cloudEvent) is { } refusal
                ? $"refused: {refusal}"
                : "not refused now: daprd gave up delivering it (its retries ran out, a circuit breaker was open, or it expired)";
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidOperationException)
        {
            reason = $"refused: {NotACloudEvent(e)}";
        }

        try
        {
            await failures.RecordAsync(DeadLetterQueueFor(topic), orderId, key, new DeadLetterException(reason), cancellationToken, JsonFormatter.Default.Format(request), park: true);
            LogDeadLetter(logger, topic, CloudEventFormat.Printable(key), reason);
            return TopicOutcome.Success;
        }
        catch (Exception e)
        {
            LogRetry(logger, options.Value.DeadLetterTopicFor(topic), CloudEventFormat.Printable(request.Source), CloudEventFormat.Printable(request.Id), e);
            return TopicOutcome.Retry(e.GetType().Name);
        }
    }

    /// <summary>One entry of a bulk delivery as a single delivery (what a dead letter is kept as).</summary>
    private static TopicEventRequest AsSingle(TopicEventBulkRequest bulk, TopicEventBulkRequestEntry entry)
    {
        var single = new TopicEventRequest { Topic = bulk.Topic, PubsubName = bulk.PubsubName, Path = bulk.Path };
        if (entry.EventCase == TopicEventBulkRequestEntry.EventOneofCase.CloudEvent)
        {
            var e = entry.CloudEvent;
            (single.Id, single.Source, single.Type, single.SpecVersion, single.DataContentType, single.Data, single.Extensions) =
                (e.Id, e.Source, e.Type, e.SpecVersion, e.DataContentType, e.Data, e.Extensions);
        }
        else
        {
            (single.Id, single.DataContentType, single.Data) = (entry.EntryId, entry.ContentType, entry.Bytes);
        }

        return single;
    }

    private static string NotACloudEvent(Exception e)
    {
        var attributes = CloudEventFormat.AttributesOf(e);
        return $"{(attributes.Count > 0 ? string.Join(", ", attributes) : "event")}: not a valid CloudEvent attribute ({e.GetType().Name})";
    }

    /// <summary>The queue of a topic's held events in the failures table.</summary>
    public static string QueueFor(string topic) => QueuePrefix + topic;

    public const string QueuePrefix = "inbound.";

    /// <summary>The queue of a topic's dead letters in the failures table.</summary>
    public static string DeadLetterQueueFor(string topic) => DeadLetterPrefix + topic;

    public const string DeadLetterPrefix = "deadletter.";

    /// <summary>The order an event is about, for the parked list and the log (data.orderId when there is one).</summary>
    private static string OrderIdOf(CloudEvent cloudEvent)
    {
        try
        {
            using var data = cloudEvent.Data switch
            {
                byte[] bytes => JsonDocument.Parse(bytes),
                JsonElement json => JsonDocument.Parse(json.GetRawText()),
                _ => null,
            };
            return data?.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("orderId", out var orderId) && orderId.ValueKind == JsonValueKind.String
                ? orderId.GetString()!
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static TopicEventResponse.Types.TopicEventResponseStatus ToStatus(TopicStatus status) => status switch
    {
        TopicStatus.Success => TopicEventResponse.Types.TopicEventResponseStatus.Success,
        TopicStatus.Drop => TopicEventResponse.Types.TopicEventResponseStatus.Drop,
        _ => TopicEventResponse.Types.TopicEventResponseStatus.Retry,
    };

    /// <summary>
    /// One event as daprd delivered it, read on demand. The event's own (source, id) keys it when
    /// held (<see cref="Key"/>); logged, they are made safe to echo.
    /// </summary>
    private sealed class Delivery(string entryId, string source, string id, Func<CloudEvent> read)
    {
        public string EntryId => entryId;

        public string Key { get; } = $"{source}/{id}";

        public string Source { get; } = CloudEventFormat.Printable(source);

        public string Id { get; } = CloudEventFormat.Printable(id);

        public Func<CloudEvent> Read => read;

        /// <summary>Why it was dropped before it reached the handler, when it was.</summary>
        public TopicOutcome? Refusal { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped event {Source}/{EventId} on topic {Topic} (to the dead-letter topic): {Reason}")]
    private static partial void LogDropped(ILogger logger, string topic, string source, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Held event {ItemKey} of queue {Queue} of order {OrderId} handled on a retry")]
    private static partial void LogRecovered(ILogger logger, string queue, string itemKey, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {ItemKey} of topic {Topic} kept (GET /v1/dead-letters): {Reason}")]
    private static partial void LogDeadLetter(ILogger logger, string topic, string itemKey, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Source}/{EventId} on topic {Topic} failed; asking Dapr to retry")]
    private static partial void LogRetry(ILogger logger, string topic, string source, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A bulk delivery of {Count} events on topic {Topic} failed; asking Dapr to retry each")]
    private static partial void LogBulkRetry(ILogger logger, string topic, int count, Exception? exception);
}

/// <summary>What a kept dead letter's reason is recorded as.</summary>
public sealed class DeadLetterException(string reason) : Exception(reason);

/// <summary>The deprecated alpha name of bulk delivery, which daprd falls back to; same answers.</summary>
public sealed class DaprAppCallbackAlpha(DaprAppCallback callback) : AppCallbackAlpha.AppCallbackAlphaBase
{
    [Obsolete("Dapr deprecated the alpha name; daprd still falls back to it when OnBulkTopicEvent is missing.")]
    public override Task<TopicEventBulkResponse> OnBulkTopicEventAlpha1(TopicEventBulkRequest request, ServerCallContext context) =>
        callback.HandleBulkAsync(request, context.CancellationToken);
}

/// <summary>
/// daprd's app health probe (dapr.io/enable-app-health-check): healthy when the store answers. While
/// it does not, daprd stops the app's subscriptions (pkg/runtime/runtime.go appHealthChanged) and
/// starts them again once the probe succeeds, so events wait in the broker instead of being
/// retried into the dead-letter topic. A queue that is behind does not count: the store works.
/// </summary>
public sealed class DaprAppHealth(HealthCheckService health) : AppCallbackHealthCheck.AppCallbackHealthCheckBase
{
    public override async Task<HealthCheckResponse> HealthCheck(Empty request, ServerCallContext context)
    {
        var report = await health.CheckHealthAsync(r => r.Name == Extensions.StoreCheck, context.CancellationToken);
        if (report.Status == HealthStatus.Unhealthy)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, report.Entries.Values.FirstOrDefault().Description ?? "the store does not answer"));
        }

        return new HealthCheckResponse();
    }
}
