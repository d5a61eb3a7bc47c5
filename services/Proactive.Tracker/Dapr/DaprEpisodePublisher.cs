using System.Text;
using Dapr.Client;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tracker.Publishing;

namespace Proactive.Tracker.Dapr;

/// <summary>
/// Publishes delay-episode changes through the Dapr sidecar: proto3 JSON data, the CloudEvent
/// type and id set (Notifier de-duplicates on them), and the order id as partition key so one
/// order's changes stay in order on Kafka.
/// </summary>
public sealed class DaprEpisodePublisher(DaprClient dapr, IOptions<DaprHostingOptions> options) : IEpisodePublisher
{
    public Task PublishAsync(OutgoingEvent message, CancellationToken cancellationToken) =>
        dapr.PublishByteEventAsync(
            options.Value.PubSubName,
            message.Topic,
            Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message.Data)),
            "application/json",
            new Dictionary<string, string>
            {
                ["cloudevent.type"] = message.Type,
                ["cloudevent.id"] = message.EventId,
                ["partitionKey"] = message.PartitionKey,
            },
            cancellationToken);
}
