using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Google.Protobuf;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.CloudEvents;
using Proactive.ServiceDefaults.Dapr;

namespace Proactive.Notifier.Dapr;

/// <summary>
/// Delay-episode changes from Tracker (topic "notices", type proactive.delay.episode.v1) as Dapr
/// delivers them, handed to the same handler the standalone host calls in-process.
/// </summary>
public sealed class EpisodeTopicHandler(DelayEpisodeHandler handler) : ITopicHandler
{
    public const string EpisodeTopic = "notices";
    public const string EpisodeType = "proactive.delay.episode.v1";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public string Topic => EpisodeTopic;

    public async Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var source = cloudEvent.Source?.OriginalString;
        var id = cloudEvent.Id;
        var type = cloudEvent.Type;
        if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(id))
        {
            return TopicOutcome.Drop("source and id are required");
        }

        // Dapr's default type when a publisher sets none: the topic carries nothing else.
        if (type is not (EpisodeType or "com.dapr.event.sent"))
        {
            return TopicOutcome.Drop($"type '{CloudEventFormat.Printable(type ?? "")}' is not {EpisodeType}");
        }

        var data = cloudEvent.Data switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes).Trim(),
            JsonElement { ValueKind: JsonValueKind.Object } element => element.GetRawText(),
            _ => "",
        };
        if (!data.StartsWith('{'))
        {
            return TopicOutcome.Drop("data must be a JSON object");
        }

        DelayEpisodeChanged change;
        try
        {
            change = Parser.Parse<DelayEpisodeChanged>(data);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            return TopicOutcome.Drop("data does not match DelayEpisodeChanged");
        }

        if (change.OrderId.Length == 0 || change.EpisodeId.Length == 0 || change.Sequence <= 0 || change.PromisedBy is null
            || change.Customer is null || change.Kind == DelayEpisodeChanged.Types.Kind.Unspecified)
        {
            return TopicOutcome.Drop("data.orderId, episodeId, sequence, kind, promisedBy and customer are required");
        }

        var traceParent = cloudEvent[CloudEventFormat.TraceParent] as string;
        var traceState = cloudEvent[CloudEventFormat.TraceState] as string;
        await handler.HandleAsync(source, id, change, cancellationToken, "dapr", traceParent, traceState);
        return TopicOutcome.Success;
    }
}
