using Proactive.Tracker.Rules;

namespace Proactive.Tracker;

/// <summary>Configuration section "Proactive:Tracker".</summary>
public sealed class TrackerOptions
{
    public const string Section = "Proactive:Tracker";

    /// <summary>How often the outbox relay and the timer sweep look for work when nothing wakes them.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Run the outbox relay and timer sweep in the background (tests drive them by hand).</summary>
    public bool RunBackgroundWork { get; set; } = true;

    /// <summary>
    /// A shipment in transit or out for delivery with no tracking update for this long, while its
    /// promise is at most this far away (or past), is stalled. Must be positive.
    /// </summary>
    public TimeSpan StallAfter { get; set; } = RuleSettings.Default.StallAfter;

    /// <summary>What the delay rules need from these options.</summary>
    public RuleSettings ToRuleSettings() => new(StallAfter);
}
