using NodaTime;

namespace Proactive.Notifier.Policy;

/// <summary>
/// A nightly window in the customer's own time zone during which no SMS is sent (default
/// 21:00–08:00). Computed on the local clock of the zone, so it follows daylight-saving changes.
/// </summary>
public sealed record QuietHours(LocalTime Start, LocalTime End)
{
    public static readonly QuietHours Default = new(new LocalTime(21, 0), new LocalTime(8, 0));

    private static readonly NodaTime.Text.LocalTimePattern HoursMinutes = NodaTime.Text.LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    /// <summary>From "21:00" and "08:00".</summary>
    public static QuietHours Parse(string start, string end) =>
        new(HoursMinutes.Parse(start).GetValueOrThrow(), HoursMinutes.Parse(end).GetValueOrThrow());

    /// <summary>"21:00" as a time of day; null when it is not one as HH:mm.</summary>
    public static LocalTime? TimeOfDay(string? text) =>
        text is not null && HoursMinutes.Parse(text) is { Success: true } parsed ? parsed.Value : null;

    /// <summary>"21:00–08:00".</summary>
    public override string ToString() => $"{HoursMinutes.Format(Start)}–{HoursMinutes.Format(End)}";

    /// <summary>The first instant at or after <paramref name="now"/> outside the window, in <paramref name="zone"/>.</summary>
    public DateTimeOffset NextAllowed(DateTimeOffset now, DateTimeZone zone)
    {
        if (Start == End)
        {
            return now;
        }

        var local = Instant.FromDateTimeOffset(now).InZone(zone).LocalDateTime;
        var time = local.TimeOfDay;
        var inWindow = Start < End ? time >= Start && time < End : time >= Start || time < End;
        if (!inWindow)
        {
            return now;
        }

        var endDate = Start < End || time < End ? local.Date : local.Date.PlusDays(1);
        return zone.AtLeniently(endDate + End).ToDateTimeOffset();
    }
}
