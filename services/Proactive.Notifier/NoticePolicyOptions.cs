using NodaTime;
using Proactive.Notifier.Policy;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier;

/// <summary>
/// Configuration section "Proactive:Notices": the notice policy and message defaults. The quiet
/// hours and the default zone are parsed when set, once; <see cref="Problems"/> names any that is
/// not fit, and the host refuses to start with it.
/// </summary>
public sealed class NoticePolicyOptions : ICheckedOptions
{
    public const string Section = "Proactive:Notices";

    private string quietHoursStart = "";
    private string quietHoursEnd = "";
    private string defaultTimeZone = "";
    private LocalTime? quietStart;
    private LocalTime? quietEnd;
    private DateTimeZone? defaultZone;

    public NoticePolicyOptions()
    {
        QuietHoursStart = "21:00";
        QuietHoursEnd = "08:00";
        DefaultTimeZone = "UTC";
    }

    /// <summary>A new notice in the same episode only when the estimate slips by at least this much.</summary>
    public TimeSpan RenotifySlip { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most this many notices (pieces of news) per order in any rolling 24 hours.</summary>
    public int MaxPerOrderPer24Hours { get; set; } = 2;

    /// <summary>The name the messages are signed with ("[Proactive] ...").</summary>
    public string SenderName { get; set; } = "Proactive";

    /// <summary>Start of the nightly window without SMS, on the customer's local clock ("21:00").</summary>
    public string QuietHoursStart
    {
        get => quietHoursStart;
        set => (quietHoursStart, quietStart) = (value, QuietHours.TimeOfDay(value));
    }

    /// <summary>End of the window: an SMS due in it waits until then ("08:00"). Email is not held.</summary>
    public string QuietHoursEnd
    {
        get => quietHoursEnd;
        set => (quietHoursEnd, quietEnd) = (value, QuietHours.TimeOfDay(value));
    }

    /// <summary>The quiet hours of a customer who set none, as parsed from <see cref="QuietHoursStart"/> and <see cref="QuietHoursEnd"/>.</summary>
    public QuietHours DefaultQuietHours =>
        new(quietStart ?? throw NotChecked(nameof(QuietHoursStart)), quietEnd ?? throw NotChecked(nameof(QuietHoursEnd)));

    /// <summary>
    /// After a delay notice was sent, tell the customer once more when the estimate is back within
    /// the promise ("good news"). Not counted against <see cref="MaxPerOrderPer24Hours"/>.
    /// </summary>
    public bool BackOnTrack { get; set; } = true;

    /// <summary>IANA zone for customers who did not give one.</summary>
    public string DefaultTimeZone
    {
        get => defaultTimeZone;
        set => (defaultTimeZone, defaultZone) = (value, DateTimeZoneProviders.Tzdb.GetZoneOrNull(value ?? ""));
    }

    /// <summary><see cref="DefaultTimeZone"/>, looked up when set.</summary>
    public DateTimeZone DefaultZone => defaultZone ?? throw NotChecked(nameof(DefaultTimeZone));

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
        if (RenotifySlip <= TimeSpan.Zero)
        {
            yield return $"{Section}:RenotifySlip must be positive, e.g. 1.00:00:00";
        }

        if (MaxPerOrderPer24Hours < 1)
        {
            yield return $"{Section}:MaxPerOrderPer24Hours must be at least 1";
        }

        if (quietStart is null)
        {
            yield return $"{Section}:QuietHoursStart '{QuietHoursStart}' is not a time of day as HH:mm, e.g. 21:00";
        }

        if (quietEnd is null)
        {
            yield return $"{Section}:QuietHoursEnd '{QuietHoursEnd}' is not a time of day as HH:mm, e.g. 08:00";
        }

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

        if (defaultZone is null)
        {
            yield return $"{Section}:DefaultTimeZone '{DefaultTimeZone}' is not an IANA time zone, e.g. Asia/Seoul";
        }
    }

    private static InvalidOperationException NotChecked(string key) =>
        new($"{Section}:{key} is not valid; the host checks it at start (Problems)");
}
