using Proactive.ServiceDefaults.Configuration;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>Configuration section "Proactive:Dapr": how a service meets its Dapr sidecar.</summary>
public sealed class DaprHostingOptions : ICheckedOptions
{
    public const string Section = "Proactive:Dapr";

    /// <summary>The pub/sub component name (the Component's metadata.name).</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary>Each subscribed topic parks what it drops on "{topic}{DeadLetterSuffix}".</summary>
    public string DeadLetterSuffix { get; set; } = "-deadletter";

    /// <summary>Bulk subscribe: the most messages daprd delivers in one call.</summary>
    public int BulkMaxMessages { get; set; } = 100;

    /// <summary>Bulk subscribe: the longest daprd waits to fill a bulk call, in milliseconds.</summary>
    public int BulkMaxAwaitMilliseconds { get; set; } = 1000;

    public string DeadLetterTopicFor(string topic) => topic + DeadLetterSuffix;

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .NotEmpty(PubSubName)
        .NotEmpty(DeadLetterSuffix)
        .Positive(BulkMaxMessages)
        .Positive(BulkMaxAwaitMilliseconds);
}
