using NodaTime;

namespace Proactive.Notifier.Messages;

/// <summary>
/// Dates in the customer's zone and language. Written out here rather than taken from the OS
/// culture data, so messages read the same on every machine.
/// </summary>
public static class LocalDates
{
    private static readonly string[] KoreanWeekdays = ["월", "화", "수", "목", "금", "토", "일"];
    private static readonly string[] EnglishWeekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    private static readonly string[] EnglishMonths =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>
    /// The instant's date in the zone; null when that local date would fall outside years 1 to
    /// 9999 (9999-12-31T23:59:59Z east of UTC): such a date is no estimate worth telling, and the
    /// message says so rather than fail.
    /// </summary>
    public static LocalDate? InZone(DateTimeOffset instant, string? timeZone)
    {
        var offset = Zone(timeZone).GetUtcOffset(Instant.FromDateTimeOffset(instant));
        var local = instant.UtcTicks + offset.Ticks;
        return local < DateTime.MinValue.Ticks || local > DateTime.MaxValue.Ticks
            ? null
            : LocalDate.FromDateTime(new DateTime(local, DateTimeKind.Unspecified));
    }

    public static DateTimeZone Zone(string? timeZone) =>
        string.IsNullOrEmpty(timeZone) ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc;

    /// <summary>"11월 28일(토)" or "Sat, Nov 28".</summary>
    public static string Short(LocalDate date, Language language) => language == Language.Korean
        ? $"{date.Month}월 {date.Day}일({KoreanWeekdays[Index(date)]})"
        : $"{EnglishWeekdays[Index(date)][..3]}, {EnglishMonths[date.Month - 1][..3]} {date.Day}";

    /// <summary>"11월 28일 토요일" or "Saturday, November 28".</summary>
    public static string Long(LocalDate date, Language language) => language == Language.Korean
        ? $"{date.Month}월 {date.Day}일 {KoreanWeekdays[Index(date)]}요일"
        : $"{EnglishWeekdays[Index(date)]}, {EnglishMonths[date.Month - 1]} {date.Day}";

    private static int Index(LocalDate date) => (int)date.DayOfWeek - 1;
}
