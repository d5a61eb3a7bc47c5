namespace Proactive.Tracker.Prediction;

/// <summary>Settings of the delivery-time model (docs/research/prediction.md); not yet bound to configuration.</summary>
public sealed record PredictionOptions
{
    public static PredictionOptions Default { get; } = new();

    /// <summary>P(late) at or above this opens a PREDICTED_LATE episode.</summary>
    public double Threshold { get; init; } = 0.70;

    /// <summary>Deliveries learned (a raw count) before the model predicts anything.</summary>
    public long MinSamples { get; init; } = 100;

    /// <summary>A sample this old weighs half as much as a new one.</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromDays(42);

    /// <summary>Pseudo-count m pulling a group toward its parent: p_j = (n_j·hat_j + m·p_{j−1}) / (n_j + m).</summary>
    public double Shrinkage { get; init; } = 20;

    /// <summary>Histogram bin width, in delivery days.</summary>
    public double BinWidth { get; init; } = 0.25;

    /// <summary>Durations from here on (delivery days) share one overflow bin.</summary>
    public double MaxDays { get; init; } = 60;

    /// <summary>Weight of a local day on the delivery-day clock, Monday first.</summary>
    public IReadOnlyList<double> DayWeights { get; init; } = [1, 1, 1, 1, 1, 0.25, 0.1];

    /// <summary>From this local time until <see cref="MorningSendAt"/> a notice would be held, so the
    /// evening assessment already looks at P as of the next morning.</summary>
    public TimeOnly EveningLookAheadFrom { get; init; } = new(20, 0);

    /// <summary>End of the Notifier's quiet hours: when a notice decided overnight is sent.</summary>
    public TimeOnly MorningSendAt { get; init; } = new(8, 0);

    /// <summary>An open order is assessed again at the latest after this long (the model keeps learning
    /// meanwhile); sooner when its probability will reach the threshold.</summary>
    public TimeSpan ReassessAfter { get; init; } = TimeSpan.FromHours(72);

    /// <summary>Bins below the overflow bin.</summary>
    public int BinCount => (int)Math.Round(MaxDays / BinWidth);

    /// <summary>The field that makes these options unusable, or null.</summary>
    public string? Invalid()
    {
        if (!(Threshold > 0 && Threshold <= 1))
        {
            return "Threshold must be in (0, 1]";
        }

        if (MinSamples < 0)
        {
            return "MinSamples must not be negative";
        }

        if (ReassessAfter < TimeSpan.FromMinutes(1))
        {
            return "ReassessAfter must be at least a minute";
        }

        if (HalfLife <= TimeSpan.Zero)
        {
            return "HalfLife must be positive";
        }

        if (!(Shrinkage >= 0))
        {
            return "Shrinkage must not be negative";
        }

        if (!(BinWidth > 0) || !(MaxDays >= BinWidth) || Math.Abs(BinCount * BinWidth - MaxDays) > 1e-9)
        {
            return "BinWidth must be positive and divide MaxDays";
        }

        if (DayWeights.Count != 7 || DayWeights.Any(w => !(w > 0 && w <= 1)))
        {
            return "DayWeights must be 7 weights in (0, 1], Monday first";
        }

        return null;
    }
}
