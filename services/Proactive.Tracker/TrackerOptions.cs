using Proactive.ServiceDefaults.Configuration;
using Proactive.Tracker.Rules;

namespace Proactive.Tracker;

/// <summary>Configuration section "Proactive:Tracker".</summary>
public sealed class TrackerOptions : ICheckedOptions
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

    /// <summary>
    /// The last call: on the promise day at <see cref="LastCallAt"/> in the customer's zone, an order
    /// neither delivered nor out for delivery, with nothing else said, is <c>PROMISE_AT_RISK</c>.
    /// </summary>
    public bool LastCall { get; set; } = true;

    /// <summary>The last call's local time of day, "HH:mm" ("09:00").</summary>
    public string LastCallAt { get; set; } = "09:00";

    /// <summary>
    /// IANA zone for customers who did not give one; when not set, Proactive:Notices:DefaultTimeZone
    /// (so one key serves both services in one process), else UTC.
    /// </summary>
    public string? DefaultTimeZone { get; set; }

    /// <summary>What the delay rules need from these options (parsed once: keep the result).</summary>
    public RuleSettings ToRuleSettings() => new(StallAfter, LastCall, ParseTime(LastCallAt), DefaultTimeZone ?? "UTC");

    /// <summary>"HH:mm" as a time of day, or null when it is not one.</summary>
    public static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time) ? time : null;

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .Positive(PollInterval)
        .Positive(StallAfter)
        .Require(ParseTime(LastCallAt) is not null, nameof(LastCallAt), "must be a time of day HH:mm, e.g. 09:00")
        .Require(
            NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(DefaultTimeZone ?? "UTC") is not null,
            nameof(DefaultTimeZone),
            "(or Proactive:Notices:DefaultTimeZone) must be an IANA time zone, e.g. Asia/Seoul");
}
