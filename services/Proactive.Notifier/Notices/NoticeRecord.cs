using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier;

/// <summary>One notice decision as recorded: sent, pending, suppressed... and why.</summary>
public sealed record NoticeRecord(
    string NoticeId,
    string OrderId,
    string EpisodeId,
    long Sequence,
    Channel Channel,
    NoticeKind Kind,
    DelayReason Reason,
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
