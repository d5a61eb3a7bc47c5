namespace Proactive.ServiceDefaults.Queues;

/// <summary>When a failing item is tried again, and when it has failed often enough to be parked.</summary>
public static class RetrySchedule
{
    /// <summary>The wait after failure number <paramref name="failures"/> (1, 2, ...): base × 2^(failures−1), capped.</summary>
    public static TimeSpan Delay(int failures, QueueOptions o)
    {
        var exponential = o.RetryBaseDelay.Ticks * (1L << Math.Clamp(failures - 1, 0, 30));
        return TimeSpan.FromTicks(Math.Min(o.RetryMaxDelay.Ticks, exponential));
    }

    public static bool Parks(int failures, QueueOptions o) => failures >= o.MaxAttempts;
}
