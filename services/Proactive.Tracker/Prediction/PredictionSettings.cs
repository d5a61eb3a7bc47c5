using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Tracker.Prediction;

/// <summary>What Tracker does with the model's word on an order.</summary>
public enum PredictionMode
{
    /// <summary>An order at risk opens a PREDICTED_LATE episode and the customer is told (AT_RISK).</summary>
    Notify,

    /// <summary>Recorded and visible (API, metrics), the customer is not told.</summary>
    Internal,

    /// <summary>The model is neither taught nor asked.</summary>
    Off,
}

/// <summary>Configuration section "Proactive:Prediction" (the model's finer settings keep their studied defaults).</summary>
public sealed class PredictionSettings : ICheckedOptions
{
    public const string Section = "Proactive:Prediction";

    public PredictionMode Mode { get; set; } = PredictionMode.Notify;

    /// <summary>P(late) at or above this opens a PREDICTED_LATE episode, in (0, 1].</summary>
    public double Threshold { get; set; } = PredictionOptions.Default.Threshold;

    /// <summary>Deliveries learned before the model speaks.</summary>
    public long MinSamples { get; set; } = PredictionOptions.Default.MinSamples;

    /// <summary>A delivery this old weighs half as much as today's.</summary>
    public TimeSpan HalfLife { get; set; } = PredictionOptions.Default.HalfLife;

    /// <summary>Pseudo-count pulling a small group (a lane, a seller) toward its coarser group.</summary>
    public double Shrinkage { get; set; } = PredictionOptions.Default.Shrinkage;

    /// <summary>An open order is assessed again at the latest after this long.</summary>
    public TimeSpan ReassessAfter { get; set; } = PredictionOptions.Default.ReassessAfter;

    /// <summary>How often a replica re-reads the model when another replica has taught it.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    public PredictionOptions ToModelOptions() => PredictionOptions.Default with
    {
        Threshold = Threshold,
        MinSamples = MinSamples,
        HalfLife = HalfLife,
        Shrinkage = Shrinkage,
        ReassessAfter = ReassessAfter,
    };

    /// <summary>The first setting that is not usable, as "Key must ...", or null.</summary>
    public string? Invalid()
    {
        if (!Enum.IsDefined(Mode))
        {
            return "Mode must be Notify, Internal or Off";
        }

        if (RefreshInterval <= TimeSpan.Zero)
        {
            return "RefreshInterval must be positive";
        }

        return ToModelOptions().Invalid();
    }

    public IEnumerable<string> Problems() => Invalid() is { } error ? [$"{Section}:{error}"] : [];
}
