namespace Proactive.Notifier;

public enum Channel
{
    Sms,
    Email,
}

/// <summary>What piece of news a notice tells.</summary>
public enum NoticeKind
{
    /// <summary>First word of a delay.</summary>
    Delay,

    /// <summary>The estimate slipped again by at least the re-notify threshold.</summary>
    FurtherDelay,

    /// <summary>The customer must act (fix the address).</summary>
    ActionRequired,

    /// <summary>Good news after a delay notice: the estimate is back within the promise.</summary>
    BackOnTrack,

    /// <summary>
    /// First word of an episode the delivery-time model opened (reason PREDICTED_LATE): the order
    /// may arrive late. Softer than <see cref="Delay"/>, which tells a delay the carrier or a
    /// deadline confirmed.
    /// </summary>
    AtRisk,
}

public enum NoticeStatus
{
    Pending,
    Sending,
    Sent,
    Deferred,
    Suppressed,
    Failed,
}

/// <summary>The news Notifier receives from Tracker, in domain terms.</summary>
public sealed record EpisodeNews(
    string OrderId,
    string EpisodeId,
    long Sequence,
    EpisodeNewsKind Kind,
    string Reason,
    string? ExceptionCode,
    bool ActionRequired,
    DateTimeOffset PromisedBy,
    DateTimeOffset? EstimatedDeliveryAt,
    CustomerContact Customer,
    string? TrackingUrl,
    string? Carrier,
    string? Resolution,
    DateTimeOffset? OccurredAt = null,
    double? PredictedProbability = null,
    bool RecordOnly = false)
{
    /// <summary>The reason of an episode the delivery-time model opened: late by prediction, not yet by fact.</summary>
    public const string PredictedLate = "PREDICTED_LATE";
}

public enum EpisodeNewsKind
{
    Detected,
    Worsened,
    Updated,
    Resolved,
}

public sealed record CustomerContact(
    string CustomerId,
    string? Name,
    string? Phone,
    string? Email,
    string Locale,
    string? TimeZone,
    IReadOnlyList<Channel> Channels)
{
    public string? AddressFor(Channel channel) => channel == Channel.Sms ? Phone : Email;
}

/// <summary>One notice decision as recorded: sent, pending, suppressed... and why.</summary>
public sealed record NoticeRecord(
    string NoticeId,
    string OrderId,
    string EpisodeId,
    long Sequence,
    Channel Channel,
    NoticeKind Kind,
    string Reason,
    NoticeStatus Status,
    string? Why,
    DateTimeOffset DecidedAt,
    DateTimeOffset? ScheduledAt,
    DateTimeOffset? SentAt,
    int Attempts,
    string? ProviderMessageId,
    string? ProviderCode,
    string Recipient,
    string Locale,
    string? Subject,
    string Text,
    string? Html,
    DateTimeOffset? EstimatedDeliveryAt,
    bool ActionRequired,
    string? CustomerId = null,
    EpisodeNews? News = null,
    DateTimeOffset? FirstAttemptAt = null,
    string? FallbackFor = null,
    string? TraceParent = null,
    string? TraceState = null,
    string? Notes = null,
    double? PredictedProbability = null)
{
    /// <summary>The customer has been, or is about to be, told this news.</summary>
    public bool IsTold => Status is NoticeStatus.Sent or NoticeStatus.Pending or NoticeStatus.Sending or NoticeStatus.Deferred;

    public static string IdFor(string episodeId, long sequence, Channel channel) => $"{episodeId}/{sequence}/{channel.ToString().ToLowerInvariant()}";
}
