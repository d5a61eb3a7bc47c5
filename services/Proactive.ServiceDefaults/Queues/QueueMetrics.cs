using System.Diagnostics.Metrics;

namespace Proactive.ServiceDefaults.Queues;

/// <summary>
/// Meter "Proactive": items parked per queue (as the last look at the store saw them), and
/// counters of failed attempts and of items parked.
/// </summary>
public sealed class QueueMetrics
{
    private readonly Counter<long> failures;
    private readonly Counter<long> parked;
    private volatile IReadOnlyDictionary<string, long> parkedNow = new Dictionary<string, long>();

    public QueueMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ProactiveTelemetry.SourceName);
        failures = meter.CreateCounter<long>(
            "proactive.queue.failures", "{attempt}", "Failed attempts at one queued item (not counting store outages), by queue.");
        parked = meter.CreateCounter<long>(
            "proactive.queue.parked", "{item}", "Items parked after their last allowed attempt, by queue.");
        meter.CreateObservableGauge(
            "proactive.parked",
            () => parkedNow.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key))),
            "{item}",
            "Items parked now, waiting for a retry through POST /v1/parked/{id}:retry, by queue.");
    }

    public void Failed(string queue) => failures.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void Parked(string queue) => parked.Add(1, new KeyValuePair<string, object?>("queue", queue));

    /// <summary>The parked counts as just read; a queue seen before and now empty reports 0.</summary>
    public void ParkedNow(IReadOnlyDictionary<string, long> counts)
    {
        var next = parkedNow.Keys.ToDictionary(q => q, _ => 0L);
        foreach (var (queue, count) in counts)
        {
            next[queue] = count;
        }

        parkedNow = next;
    }
}
