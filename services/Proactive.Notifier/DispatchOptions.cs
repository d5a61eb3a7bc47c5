using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier;

/// <summary>Configuration section "Proactive:Dispatch": how notices are sent and retried.</summary>
public sealed class DispatchOptions : ICheckedOptions
{
    public const string Section = "Proactive:Dispatch";

    /// <summary>Give up after this many attempts of one notice (transient failures only).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Give up when the next retry would come later than this after the first attempt.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Delay before the first retry; doubles with each attempt, with random jitter (half to all of it).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between two attempts (before jitter).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A provider is left alone after this many transient failures in a row...</summary>
    public int BreakAfterFailures { get; set; } = 5;

    /// <summary>...for this long; then one trial send decides whether it is back.</summary>
    public TimeSpan BreakFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A claimed notice whose sender died is claimed again after this long.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Notices sent at once (provider calls in flight), different customers in parallel, one
    /// customer's one after another. Each holds its place until its outcome is committed, so a
    /// crash can repeat at most this many sends. 16 lets ~100 notices a second (two channels each)
    /// be sent and recorded in shared commits on one SQLite file; 1 gives "a kill repeats at most
    /// the one send it cut off" at a few dozen sends a second. Raise it when the providers' own
    /// latency (hundreds of ms) limits the send rate.
    /// </summary>
    public int SendConcurrency { get; set; } = 16;

    /// <summary>How often the dispatcher looks for due notices when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Run the dispatcher in the background (tests drive it by hand).</summary>
    public bool RunBackgroundWork { get; set; } = true;

    /// <summary>
    /// Production: every channel must have its provider's credentials, else the service refuses to
    /// start naming the missing keys (<see cref="Channels.RequiredProviders"/>); off, a channel
    /// without them writes to <see cref="OutboxPath"/>, counted "local", never "sent".
    /// </summary>
    public bool RequireProviders { get; set; }

    /// <summary>Where a channel without provider credentials writes its messages (JSON lines).</summary>
    public string OutboxPath { get; set; } = "data/outbox.jsonl";

    /// <summary>How long processed episode-change ids are kept for de-duplication.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .AtLeast(MaxAttempts, 1)
        .Positive(RetryFor)
        .Positive(RetryBaseDelay)
        .NotShorter(RetryMaxDelay, RetryBaseDelay)
        .AtLeast(BreakAfterFailures, 1)
        .Positive(BreakFor)
        .Positive(Lease)
        .AtLeast(SendConcurrency, 1)
        .Positive(PollInterval)
        .NotEmpty(OutboxPath)
        .Positive(InboxRetention);
}
