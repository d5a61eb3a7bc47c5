using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// Configuration section "Proactive:Incidents": many delays with one cause (carrier, destination...)
/// within a window make one incident, and one alert per configured channel.
/// </summary>
public sealed class IncidentOptions : ICheckedOptions
{
    public const string Section = "Proactive:Incidents";

    /// <summary>The dimensions a group key may be made of.</summary>
    public static readonly IReadOnlyList<string> Dimensions = ["carrier", "destination", "lane", "exception"];

    /// <summary>Notes delays and opens incidents; off, nothing is noted (replay turns it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Distinct delayed orders of one group within <see cref="Window"/> that open an incident.</summary>
    public int MinOrders { get; set; } = 20;

    /// <summary>The trailing window orders are counted in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An open incident resolves when its trailing count falls below this (default MinOrders / 2, so it does not flap at the threshold).</summary>
    public int? ResolveBelow { get; set; }

    /// <summary>Comma-separated dimensions of the group key: carrier, destination, lane, exception.</summary>
    public string GroupBy { get; set; } = "carrier,destination";

    /// <summary>A chat incoming webhook (Slack, Google Chat, Mattermost) that gets {"text": "..."}; a secret, never logged.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The CX team's address that gets the alert by email.</summary>
    public string? AlertEmail { get; set; }

    /// <summary>How often the sweep counts and the alerter looks for due alerts when nothing wakes them.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Give up on an alert after this many transient failures.</summary>
    public int AlertMaxAttempts { get; set; } = 8;

    /// <summary>Run the sweep and the alerter in the background (tests drive them by hand).</summary>
    public bool RunBackgroundWork { get; set; } = true;

    /// <summary>The resolve threshold in force.</summary>
    public int ResolveThreshold => ResolveBelow ?? Math.Max(1, MinOrders / 2);

    /// <summary>The group key's dimensions, in the order configured (lower case, de-duplicated).</summary>
    public IReadOnlyList<string> GroupDimensions => GroupBy
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(d => d.ToLowerInvariant())
        .Distinct()
        .ToList();

    /// <summary>The channels alerts go to: those configured.</summary>
    public IReadOnlyList<string> AlertChannels =>
        [.. string.IsNullOrWhiteSpace(WebhookUrl) ? [] : new[] { IncidentAlert.Webhook }, .. string.IsNullOrWhiteSpace(AlertEmail) ? [] : new[] { IncidentAlert.Email }];

    public IEnumerable<string> Problems()
    {
        var unknown = GroupDimensions.Where(d => !Dimensions.Contains(d)).ToList();
        return new OptionProblems(Section)
            .AtLeast(MinOrders, 2)
            .Positive(Window)
            .Require(ResolveBelow is null || (ResolveBelow >= 1 && ResolveBelow <= MinOrders), nameof(ResolveBelow), "must be between 1 and MinOrders")
            .Require(GroupDimensions.Count > 0, nameof(GroupBy), $"must name at least one of {string.Join(", ", Dimensions)}")
            .Require(unknown.Count == 0, nameof(GroupBy), $"'{string.Join(",", unknown)}' is not one of {string.Join(", ", Dimensions)}")
            .Require(string.IsNullOrWhiteSpace(WebhookUrl) || OptionProblems.IsHttpUrl(WebhookUrl), nameof(WebhookUrl), "must be an absolute http(s) URL (the value is a secret and is not shown)")
            .Require(string.IsNullOrWhiteSpace(AlertEmail) || IsEmail(AlertEmail), nameof(AlertEmail), $"'{AlertEmail}' must be an email address")
            .Positive(PollInterval)
            .AtLeast(AlertMaxAttempts, 1);
    }

    private static bool IsEmail(string value) =>
        value.Trim() is var v && v.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < v.Length - 1 && !v.Any(char.IsWhiteSpace);
}
