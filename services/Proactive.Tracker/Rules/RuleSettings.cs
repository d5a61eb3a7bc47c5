namespace Proactive.Tracker.Rules;

/// <summary>The rules' settings (from <see cref="TrackerOptions"/> in the service).</summary>
/// <param name="StallAfter">
/// How long an in-transit shipment may go without a tracking update, once its promise is at most
/// this far away, before it counts as stalled.
/// </param>
/// <param name="LastCall">Whether the last-call rule (<see cref="DelayReason.PromiseAtRisk"/>) runs.</param>
/// <param name="LastCallAt">The customer's local time of day of the last call.</param>
/// <param name="DefaultTimeZone">The zone of a customer who gave none (or one that is not an IANA zone).</param>
public sealed record RuleSettings(TimeSpan StallAfter, bool LastCall = true, TimeOnly? LastCallAt = null, string DefaultTimeZone = "UTC")
{
    public static readonly TimeOnly DefaultLastCallAt = new(9, 0);

    public static readonly RuleSettings Default = new(TimeSpan.FromHours(48));

    public TimeOnly LastCallTime => LastCallAt ?? DefaultLastCallAt;
}
