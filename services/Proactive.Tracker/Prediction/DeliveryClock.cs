namespace Proactive.Tracker.Prediction;

/// <summary>
/// Counts time in delivery days in one zone: each local day adds its weight (Mon–Fri 1, Sat 0.25, Sun 0.1
/// by default), spread evenly over the day's real length (23 or 25 h on a DST change). Few parcels move
/// at weekends, so a weekend barely ages a parcel.
/// </summary>
public sealed class DeliveryClock
{
    // A Monday, so the day of the week is the offset within a week.
    private static readonly DateOnly Epoch = new(2000, 1, 3);

    private readonly TimeZoneInfo _zone;
    private readonly double[] _weights;
    private readonly double[] _weekPrefix;
    private readonly Dictionary<DateOnly, (DateTimeOffset Start, long Length)> _days = [];

    public DeliveryClock(TimeZoneInfo zone, IReadOnlyList<double> dayWeights)
    {
        if (dayWeights.Count != 7 || dayWeights.Any(w => !(w > 0)))
        {
            throw new ArgumentException("dayWeights must be 7 positive weights, Monday first", nameof(dayWeights));
        }

        _zone = zone;
        _weights = [.. dayWeights];
        _weekPrefix = new double[8];
        for (var i = 0; i < 7; i++)
        {
            _weekPrefix[i + 1] = _weekPrefix[i] + _weights[i];
        }
    }

    public TimeZoneInfo Zone => _zone;

    /// <summary>Delivery days from the clock's epoch to <paramref name="at"/>.</summary>
    public double DaysAt(DateTimeOffset at)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, _zone).DateTime);
        var (start, length) = Day(date);
        var elapsed = Math.Clamp((double)(at - start).Ticks / length, 0, 1);
        var (weeks, weekday) = Split(date);
        return weeks * _weekPrefix[7] + _weekPrefix[weekday] + _weights[weekday] * elapsed;
    }

    /// <summary>The instant at which the clock reads <paramref name="days"/> (the inverse of <see cref="DaysAt"/>).</summary>
    public DateTimeOffset InstantAt(double days)
    {
        var weeks = Math.Floor(days / _weekPrefix[7]);
        var rest = days - weeks * _weekPrefix[7];
        var weekday = 0;
        while (weekday < 6 && rest >= _weekPrefix[weekday + 1])
        {
            weekday++;
        }

        var date = Epoch.AddDays(checked((int)weeks * 7 + weekday));
        var fraction = Math.Clamp((rest - _weekPrefix[weekday]) / _weights[weekday], 0, 1);
        var (start, length) = Day(date);
        return start.AddTicks((long)Math.Round(fraction * length));
    }

    /// <summary>The first instant of a local date (midnight, or the end of a DST gap that swallows it).</summary>
    public DateTimeOffset StartOf(DateOnly date) => At(date, TimeOnly.MinValue);

    /// <summary>The instant a local date and time of day happens (a time inside a DST gap moves forward).</summary>
    public DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        var offset = _zone.IsAmbiguousTime(local) ? _zone.GetAmbiguousTimeOffsets(local).Max() : _zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>The local date and time of day of an instant.</summary>
    public DateTime Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).DateTime;

    // The zone's rules are fixed, so each date's start and length are worked out once.
    private (DateTimeOffset Start, long Length) Day(DateOnly date)
    {
        if (!_days.TryGetValue(date, out var day))
        {
            var start = StartOf(date);
            day = (start, (StartOf(date.AddDays(1)) - start).Ticks);
            _days.Add(date, day);
        }

        return day;
    }

    private static (long Weeks, int Weekday) Split(DateOnly date)
    {
        long offset = date.DayNumber - Epoch.DayNumber;
        var weeks = Math.DivRem(offset, 7L, out var weekday);
        if (weekday < 0)
        {
            weeks--;
            weekday += 7;
        }

        return (weeks, (int)weekday);
    }
}
