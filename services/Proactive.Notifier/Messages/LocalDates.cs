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

    private static readonly string[] JapaneseWeekdays = ["月", "火", "水", "木", "金", "土", "日"];
    private static readonly string[] PortugueseWeekdays = ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"];
    private static readonly string[] PortugueseMonths =
        ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"];
    private static readonly string[] SpanishWeekdays = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];
    private static readonly string[] SpanishMonths =
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"];

    /// <summary>
    /// The short date in a template language (<see cref="Templates.TemplateLanguages"/>): ko
    /// "11월 28일(토)", en "Sat, Nov 28", ja "11月28日(土)", pt-BR "sáb, 28/11", es "sáb 28/11".
    /// </summary>
    public static string Short(LocalDate date, string language) => language switch
    {
        "ko" => Short(date, Language.Korean),
        "ja" => $"{date.Month}月{date.Day}日({JapaneseWeekdays[Index(date)]})",
        "pt-BR" => $"{PortugueseWeekdays[Index(date)][..3]}, {date.Day:00}/{date.Month:00}",
        "es" => $"{SpanishWeekdays[Index(date)][..3]} {date.Day:00}/{date.Month:00}",
        _ => Short(date, Language.English),
    };

    /// <summary>
    /// The long date: ko "11월 28일 토요일", en "Saturday, November 28", ja "11月28日(土曜日)",
    /// pt-BR "sábado, 28 de novembro", es "sábado, 28 de noviembre".
    /// </summary>
    public static string Long(LocalDate date, string language) => language switch
    {
        "ko" => Long(date, Language.Korean),
        "ja" => $"{date.Month}月{date.Day}日({JapaneseWeekdays[Index(date)]}曜日)",
        "pt-BR" => $"{PortugueseWeekdays[Index(date)]}, {date.Day} de {PortugueseMonths[date.Month - 1]}",
        "es" => $"{SpanishWeekdays[Index(date)]}, {date.Day} de {SpanishMonths[date.Month - 1]}",
        _ => Long(date, Language.English),
    };

    private static int Index(LocalDate date) => (int)date.DayOfWeek - 1;
}
