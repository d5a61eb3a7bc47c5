namespace Proactive.Tracker;

/// <summary>Configuration section "Proactive:Tracker".</summary>
public sealed class TrackerOptions
{
    public const string Section = "Proactive:Tracker";

    /// <summary>How often the outbox relay and the timer sweep look for work when nothing wakes them.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Run the outbox relay and timer sweep in the background (tests drive them by hand).</summary>
    public bool RunBackgroundWork { get; set; } = true;
}
