namespace Proactive.Tracker.Events;

/// <summary>
/// When an event may have happened and how far its promises may reach: <c>occurredAt</c> between
/// <see cref="Earliest"/> and <see cref="Now"/> + <see cref="MaxClockSkew"/>; promises, ship-by and
/// estimates within <see cref="MaxHorizon"/> of <c>occurredAt</c>, either side. <see cref="Now"/> is
/// the TimeProvider's, so a replay on a virtual clock judges events by its own time.
/// </summary>
public readonly record struct EventTimeWindow(DateTimeOffset Now, TimeSpan MaxClockSkew, TimeSpan MaxHorizon)
{
    /// <summary>No contract event happened before this.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The default bounds (1 day of clock skew, 2 years of horizon) around <paramref name="now"/>.</summary>
    public static EventTimeWindow Around(DateTimeOffset now)
    {
        var defaults = new IngestOptions();
        return new(now, defaults.MaxClockSkew, defaults.MaxHorizon);
    }

    public DateTimeOffset Latest => Now + MaxClockSkew;
}
