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
