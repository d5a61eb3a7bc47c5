using CloudNative.CloudEvents;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// Handles the events of one subscribed topic, given as the CloudEvent daprd delivered (read by the
/// CloudEvents SDK; data as the payload's bytes). Delivery is at least once, so handlers are idempotent.
/// </summary>
public interface ITopicHandler
{
    string Topic { get; }

    Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken);
}
