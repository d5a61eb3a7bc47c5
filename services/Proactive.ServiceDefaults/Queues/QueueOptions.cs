using Proactive.ServiceDefaults.Configuration;

namespace Proactive.ServiceDefaults.Queues;

/// <summary>Configuration section "Proactive:Queues": how a failing item of any queue is retried, and when it is parked.</summary>
public sealed class QueueOptions : ICheckedOptions
{
    public const string Section = "Proactive:Queues";

    /// <summary>Failures of one item before it is parked (the last one parks it). At least 1.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait after an item's first failure; it doubles after each further one, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the retry of held Dapr events looks for work when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Run the retry of held Dapr events in the background (tests drive it by hand).</summary>
    public bool RunBackgroundWork { get; set; } = true;

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .AtLeast(MaxAttempts, 1)
        .Positive(RetryBaseDelay)
        .NotShorter(RetryMaxDelay, RetryBaseDelay)
        .Positive(PollInterval);
}

/// <summary>Configuration section "Proactive:Health".</summary>
public sealed class HealthOptions : ICheckedOptions
{
    public const string Section = "Proactive:Health";

    /// <summary>A queue whose oldest due item has waited longer than this makes /healthz Degraded.</summary>
    public TimeSpan MaxQueueAge { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Problems() => new OptionProblems(Section).Positive(MaxQueueAge);
}
