using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Google.Protobuf;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.CloudEvents;
using Proactive.ServiceDefaults.Dapr;

namespace Proactive.Notifier.Dapr;

/// <summary>
/// Delay-episode changes from Tracker (<see cref="Topics.Notices"/>, <see cref="CloudEventTypes.DelayEpisodeChanged"/>)
/// as Dapr delivers them, handed to the same handler the standalone host calls in-process.
/// </summary>
public sealed class EpisodeTopicHandler(DelayEpisodeHandler handler) : ITopicHandler
{
    /// <summary>
    /// Unknown fields are ignored, and so is an enum name this Notifier does not know: a reason a
    /// newer Tracker added arrives as DELAY_REASON_UNSPECIFIED and is told as a delay without detail.
    /// </summary>
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public string Topic => Topics.Notices;

    public async Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var (change, refusal) = Read(cloudEvent);
        if (change is null)
        {
            return TopicOutcome.Drop(refusal!);
        }

        var traceParent = cloudEvent[CloudEventFormat.TraceParent] as string;
        var traceState = cloudEvent[CloudEventFormat.TraceState] as string;
        await handler.HandleAsync(cloudEvent.Source!.OriginalString, cloudEvent.Id!, change, cancellationToken, "dapr", traceParent, traceState);
        return TopicOutcome.Success;
    }

    public string? Refusal(CloudEvent cloudEvent) => Read(cloudEvent).Refusal;

    /// <summary>The change the event carries, or why it can never be handled (pure).</summary>
    private static (DelayEpisodeChanged? Change, string? Refusal) Read(CloudEvent cloudEvent)
    {
        var source = cloudEvent.Source?.OriginalString;
        var id = cloudEvent.Id;
        var type = cloudEvent.Type;
        if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(id))
        {
            return (null, "source and id are required");
        }

        // Dapr's default type when a publisher sets none: the topic carries nothing else.
        if (type is not (CloudEventTypes.DelayEpisodeChanged or "com.dapr.event.sent"))
        {
            return (null, $"type '{CloudEventFormat.Printable(type ?? "")}' is not {CloudEventTypes.DelayEpisodeChanged}");
        }

        var data = cloudEvent.Data switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes).Trim(),
            JsonElement { ValueKind: JsonValueKind.Object } element => element.GetRawText(),
            _ => "",
        };
        if (!data.StartsWith('{'))
        {
            return (null, "data must be a JSON object");
        }

        DelayEpisodeChanged change;
        try
        {
            change = Parser.Parse<DelayEpisodeChanged>(data);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            return (null, "data does not match DelayEpisodeChanged");
        }

        // DELIVERED names the order's last episode, and none ("") when it never had one.
        var episodeRequired = change.Kind != DelayEpisodeChanged.Types.Kind.Delivered;
        if (change.OrderId.Length == 0 || (episodeRequired && change.EpisodeId.Length == 0) || change.Sequence <= 0 || change.PromisedBy is null
            || change.Customer is null || change.Kind == DelayEpisodeChanged.Types.Kind.Unspecified)
        {
            return (null, "data.orderId, episodeId (but with kind DELIVERED), sequence, kind, promisedBy and customer are required");
        }

        // A kind from a newer Tracker: guessing (a resolution would withdraw what is waiting) is worse than the dead-letter topic.
        if (!Enum.IsDefined(change.Kind))
        {
            return (null, $"data.kind {(int)change.Kind} is not a change kind this Notifier knows");
        }

        return (change, null);
    }
}
