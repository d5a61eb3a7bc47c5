using Microsoft.Extensions.Options;

namespace Proactive.Notifier;

/// <summary>Configuration section "Proactive:Notices": the notice policy and message defaults.</summary>
public sealed class NoticePolicyOptions
{
    public const string Section = "Proactive:Notices";

    /// <summary>A new notice in the same episode only when the estimate slips by at least this much.</summary>
    public TimeSpan RenotifySlip { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most this many notices (pieces of news) per order in any rolling 24 hours.</summary>
    public int MaxPerOrderPer24Hours { get; set; } = 2;

    /// <summary>The name the messages are signed with ("[Proactive] ...").</summary>
    public string SenderName { get; set; } = "Proactive";

    /// <summary>Start of the nightly window without SMS, on the customer's local clock ("21:00").</summary>
    public string QuietHoursStart { get; set; } = "21:00";

    /// <summary>End of the window: an SMS due in it waits until then ("08:00"). Email is not held.</summary>
    public string QuietHoursEnd { get; set; } = "08:00";

    /// <summary>
    /// After a delay notice was sent, tell the customer once more when the estimate is back within
    /// the promise ("good news"). Not counted against <see cref="MaxPerOrderPer24Hours"/>.
    /// </summary>
    public bool BackOnTrack { get; set; } = true;

    /// <summary>IANA zone for customers who did not give one.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";

    /// <summary>An SMS never takes more segments than this: it is shortened, and cut as a last resort.</summary>
    public int MaxSmsSegments { get; set; } = 2;

    /// <summary>
    /// Host names the shop owns: a tracking link goes into a message only when it is https and its
    /// host is one of these or a subdomain of one ("example.com" covers "www.example.com"); any
    /// other link is left out, and the notice says so. Empty: no links at all.
    /// </summary>
    public string[] AllowedLinkHosts { get; set; } = [];

    /// <summary>What is wrong with the options, each naming its key; empty when they are fit to start with.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxSmsSegments < 1)
        {
            yield return $"{Section}:MaxSmsSegments must be at least 1";
        }

        for (var i = 0; i < AllowedLinkHosts.Length; i++)
        {
            if (Messages.TrackingLink.EntryProblem(AllowedLinkHosts[i]) is { } problem)
            {
                yield return $"{Section}:AllowedLinkHosts:{i} {problem}";
            }
        }

        if (NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(DefaultTimeZone ?? "") is null)
        {
            yield return $"{Section}:DefaultTimeZone '{DefaultTimeZone}' is not an IANA time zone, e.g. Asia/Seoul";
        }
    }
}

/// <summary>Refuses to start with notice options that are not fit, naming each key at fault.</summary>
internal sealed class NoticePolicyOptionsValidation : IValidateOptions<NoticePolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, NoticePolicyOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>Configuration section "Proactive:Dispatch": how notices are sent and retried.</summary>
public sealed class DispatchOptions
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

    /// <summary>How often the dispatcher looks for due notices when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Run the dispatcher in the background (tests drive it by hand).</summary>
    public bool RunBackgroundWork { get; set; } = true;

    /// <summary>Where a channel without provider credentials writes its messages (JSON lines).</summary>
    public string OutboxPath { get; set; } = "data/outbox.jsonl";

    /// <summary>How long processed episode-change ids are kept for de-duplication.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);
}
