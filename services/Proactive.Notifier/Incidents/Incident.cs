namespace Proactive.Notifier.Incidents;

/// <summary>Many delays with one cause within the window: one incident, open until the count falls.</summary>
public sealed record Incident(
    string IncidentId,
    string GroupKey,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    int OrderCount,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt)
{
    public bool IsOpen => ResolvedAt is null;

    /// <summary>The group's dimensions (carrier, destination, ...) and their values.</summary>
    public IReadOnlyList<(string Dimension, string Value)> Dimensions => IncidentRule.Dimensions(GroupKey);

    public string? Dimension(string name) => Dimensions.Where(d => d.Dimension == name).Select(d => d.Value).FirstOrDefault();

    /// <summary>Where the API shows it.</summary>
    public string ApiPath => $"/v1/incidents/{IncidentId}";
}

/// <summary>One alert of an incident on one channel (webhook, email), sent once.</summary>
public sealed record IncidentAlert(
    string IncidentId,
    string Channel,
    string Status,
    int Attempts,
    DateTimeOffset NextAt,
    string? LastError,
    DateTimeOffset? SentAt)
{
    public const string Webhook = "webhook";
    public const string Email = "email";

    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>An order an incident affects: the delay episode that counted, and its cause.</summary>
public sealed record AffectedOrder(string OrderId, string EpisodeId, string Reason, string? ExceptionCode, string Cause, string? Lane, DateTimeOffset SeenAt);

/// <summary>Where a page of incidents ended (newest first).</summary>
public sealed record IncidentCursor(DateTimeOffset OpenedAt, string IncidentId);

/// <summary>Where a page of an incident's affected orders ends: the last one's instant and episode.</summary>
public sealed record AffectedOrderCursor(DateTimeOffset SeenAt, string EpisodeId);
