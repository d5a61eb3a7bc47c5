using System.Text.Json;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;

namespace Proactive.Tracker.Events;

/// <summary>
/// The reader as both hostings call it: against this process's clock (TimeProvider) and the bounds
/// of <see cref="IngestOptions"/>, so the standalone ingest and the Dapr Tracker judge alike.
/// </summary>
public sealed class EventIntake(TimeProvider time, IOptionsMonitor<IngestOptions> options)
{
    public EventTimeWindow Window
    {
        get
        {
            var o = options.CurrentValue;
            return new(time.GetUtcNow(), o.MaxClockSkew, o.MaxHorizon);
        }
    }

    public CloudEventReader.Result Read(JsonElement envelope, string topic) => Prepared(CloudEventReader.Read(envelope, topic, Window));

    public CloudEventReader.Result Read(CloudEvent cloudEvent, string topic) => Prepared(CloudEventReader.Read(cloudEvent, topic, Window));

    /// <summary>An event read has its stored text ready now (formatted unless it came storable as is), beside the other deliveries being read (<see cref="StoredPayload"/>).</summary>
    private static CloudEventReader.Result Prepared(CloudEventReader.Result read)
    {
        if (read.Event is { } e)
        {
            StoredPayload.Of(e);
        }

        return read;
    }
}
