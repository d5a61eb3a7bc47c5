namespace Proactive.Standalone.Replay;

/// <summary>
/// The replay's clock: it stands still until the replay moves it, and never moves back. Everything
/// that reads TimeProvider (rules, quiet hours, caps, the dispatcher) sees the replayed instant.
/// </summary>
public sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock to <paramref name="instant"/>, or leaves it where it is if that is earlier.</summary>
    public void MoveTo(DateTimeOffset instant)
    {
        if (instant > now)
        {
            now = instant.ToUniversalTime();
        }
    }
}
