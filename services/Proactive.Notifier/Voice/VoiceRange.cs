using System.Globalization;

namespace Proactive.Notifier.Voice;

/// <summary>
/// The [from, to) range of the voice summary and export, from the query's RFC 3339 timestamps:
/// to defaults to now, from to 30 days before to; from must be before to, at most 366 days apart.
/// </summary>
public sealed record VoiceRange(DateTimeOffset From, DateTimeOffset To)
{
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(30);
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(366);

    /// <summary>The range asked for, or the problems with it, each naming its field.</summary>
    public static (VoiceRange? Range, IReadOnlyList<RangeError> Errors) Parse(string? from, string? to, DateTimeOffset now)
    {
        var errors = new List<RangeError>();
        var end = Timestamp("to", to, errors) ?? now;
        var start = Timestamp("from", from, errors);
        if (start is null && end.UtcTicks < DefaultSpan.Ticks)
        {
            errors.Add(new("to", "too early for the default from (to minus 30 days); give from"));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var first = start ?? end - DefaultSpan;
        if (first >= end)
        {
            errors.Add(new("from", "must be before to"));
        }
        else if (end - first > MaxSpan)
        {
            errors.Add(new("from", $"must be at most {MaxSpan.TotalDays:0} days before to"));
        }

        return errors.Count > 0 ? (null, errors) : (new VoiceRange(first, end), errors);
    }

    private static DateTimeOffset? Timestamp(string field, string? value, List<RangeError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // An unescaped "+09:00" in a query string arrives as " 09:00".
        value = value.Replace(' ', '+');

        // RFC 3339: a date, "T", a time and an offset (Z or ±hh:mm).
        if (value.Length <= 40
            && DateTimeOffset.TryParseExact(
                value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            && (value.EndsWith('Z') || value.EndsWith('z') || value[^6] is '+' or '-'))
        {
            return at;
        }

        errors.Add(new(field, "must be an RFC 3339 timestamp with an offset, e.g. 2026-11-24T10:00:00+09:00"));
        return null;
    }
}

/// <summary>What is wrong with one field of the range.</summary>
public sealed record RangeError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
