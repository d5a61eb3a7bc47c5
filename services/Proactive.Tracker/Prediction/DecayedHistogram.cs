namespace Proactive.Tracker.Prediction;

/// <summary>Which duration a histogram counts: seller hand-off (handling) or carrier transit.</summary>
public enum HistogramKind
{
    Handling,
    Transit,
}

/// <summary>One stored bin of one group's histogram: the state of the model is exactly these rows.</summary>
public sealed record HistogramRow(HistogramKind Kind, string Group, int Bin, double Weight);

/// <summary>
/// Durations of one group in fixed bins plus an overflow bin, with exponential forgetting: a sample
/// delivered at t adds 2^((t − epoch)/halfLife), so old weights never need rescaling and rows only grow
/// by addition. No NuGet package fits (HdrHistogram has no weights or decay; no t-digest/KLL/DDSketch).
/// </summary>
public sealed class DecayedHistogram
{
    /// <summary>Fixed decay epoch: weights are relative to it; 2^x stays finite for centuries at HL 42 d.</summary>
    public static readonly DateTimeOffset DecayEpoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly double[] _bins;

    // Derived from the bins, dropped when a weight is added.
    private double? _total;
    private double[]? _shares;

    public DecayedHistogram(int binCount) => _bins = new double[binCount + 1];

    /// <summary>Bins below the overflow bin (the overflow bin has this index).</summary>
    public int BinCount => _bins.Length - 1;

    public double this[int bin] => _bins[bin];

    /// <summary>Sum of the stored weights, in bin order (so it is the same however the rows were loaded).</summary>
    public double Total => _total ??= Sum(_bins);

    /// <summary>Each bin's weight divided by <see cref="Total"/>.</summary>
    public ReadOnlySpan<double> Shares()
    {
        if (_shares is null)
        {
            var total = Total;
            _shares = new double[_bins.Length];
            for (var k = 0; k < _bins.Length; k++)
            {
                _shares[k] = _bins[k] / total;
            }
        }

        return _shares;
    }

    /// <summary>The stored weight of a sample recorded at <paramref name="at"/>.</summary>
    public static double WeightAt(DateTimeOffset at, TimeSpan halfLife) => Math.Pow(2, (at - DecayEpoch) / halfLife);

    /// <summary>The bin of a duration: ⌊days / width⌋, negative durations in bin 0, long ones in the overflow bin.</summary>
    public int BinOf(double days, double binWidth)
    {
        var bin = Math.Floor(Math.Max(days, 0) / binWidth);
        return bin >= BinCount ? BinCount : (int)bin;
    }

    /// <summary>The bin of a duration in a histogram of <paramref name="options"/>' size.</summary>
    public static int BinOf(double days, PredictionOptions options)
    {
        var bin = Math.Floor(Math.Max(days, 0) / options.BinWidth);
        return bin >= options.BinCount ? options.BinCount : (int)bin;
    }

    public void Add(double days, DateTimeOffset at, PredictionOptions options)
    {
        _bins[BinOf(days, options.BinWidth)] += WeightAt(at, options.HalfLife);
        Changed();
    }

    /// <summary>Adds a stored weight to a bin (loading rows).</summary>
    public void AddWeight(int bin, double weight)
    {
        if ((uint)bin > (uint)BinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bin), bin, $"bin must be in 0..{BinCount}");
        }

        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "weight must be finite and not negative");
        }

        _bins[bin] += weight;
        Changed();
    }

    /// <summary>How many samples the histogram is worth at <paramref name="now"/> (each decayed to now).</summary>
    public double EffectiveCount(DateTimeOffset now, TimeSpan halfLife) => Total / WeightAt(now, halfLife);

    private void Changed()
    {
        _total = null;
        _shares = null;
    }

    private static double Sum(double[] bins)
    {
        var total = 0.0;
        foreach (var weight in bins)
        {
            total += weight;
        }

        return total;
    }
}

/// <summary>A normalised distribution over the bins with its tail sums: S(x) = P(duration &gt; x).</summary>
public sealed class DurationDistribution
{
    private readonly double[] _p;
    private readonly double[] _tail;

    public DurationDistribution(double[] probabilities, double binWidth)
    {
        _p = probabilities;
        BinWidth = binWidth;
        _tail = new double[_p.Length + 1];
        for (var k = _p.Length - 1; k >= 0; k--)
        {
            _tail[k] = _tail[k + 1] + _p[k];
        }
    }

    public double BinWidth { get; }

    /// <summary>Bins below the overflow bin.</summary>
    public int BinCount => _p.Length - 1;

    public double this[int bin] => _p[bin];

    /// <summary>Mass in bin k and above; the overflow bin is in every tail.</summary>
    public double Tail(int bin) => _tail[bin];

    /// <summary>S(x) = P(duration &gt; x), linear inside a bin, constant (the overflow mass) past the last bin.</summary>
    public double Survival(double days)
    {
        // Tail(0) rather than 1: the same rounding as every other tail, so S never rises.
        if (days <= 0)
        {
            return _tail[0];
        }

        var x = days / BinWidth;
        if (x >= BinCount)
        {
            return _tail[BinCount];
        }

        var k = (int)x;
        return _tail[k + 1] + _p[k] * (1 - (x - k));
    }

    /// <summary>The smallest duration x with S(x) ≤ <paramref name="survival"/>, or null if S never gets that low.</summary>
    public double? DurationAtSurvival(double survival)
    {
        if (survival >= _tail[0])
        {
            return 0;
        }

        if (survival < _tail[BinCount])
        {
            return null;
        }

        // The first bin whose right edge is at or below the level; S is linear inside it.
        var lo = 0;
        var hi = BinCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_tail[mid + 1] <= survival)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        var k = lo;
        var fraction = _p[k] > 0 ? Math.Clamp(1 - (survival - _tail[k + 1]) / _p[k], 0, 1) : 0;
        return (k + fraction) * BinWidth;
    }
}
