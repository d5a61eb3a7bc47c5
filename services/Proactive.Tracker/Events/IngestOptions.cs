using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Tracker.Events;

/// <summary>
/// Configuration section "Proactive:Ingest": how contract events are admitted. Bound by AddTracker,
/// so both hostings read events against the same bounds; the body size and the per-source rate are
/// the standalone HTTP ingest's (under Dapr the broker is the buffer).
/// </summary>
public sealed class IngestOptions : ICheckedOptions
{
    public const string Section = "Proactive:Ingest";

    /// <summary>Largest request body accepted (a single event or a whole batch); larger is 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most events in one batch; a larger batch is refused whole (400 naming the body) before any is read.</summary>
    public int MaxBatchEntries { get; set; } = 1000;

    /// <summary>How far in the future of this process's clock an event's occurredAt may be.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How far from the event's occurredAt (either side) a promise, ship-by or estimate may be.</summary>
    public TimeSpan MaxHorizon { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Events per second admitted from one CloudEvent source (token bucket); 0 turns the limit off.</summary>
    public double EventsPerSecondPerSource { get; set; } = 1000;

    /// <summary>How many events one source may send at once above its rate (the bucket's size).</summary>
    public int BurstPerSource { get; set; } = 2000;

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .Positive(MaxBodyBytes)
        .Positive(MaxBatchEntries)
        .Positive(MaxClockSkew)
        .Positive(MaxHorizon)
        .RateOrOff(EventsPerSecondPerSource)
        .Positive(BurstPerSource);
}
