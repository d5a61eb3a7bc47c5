using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Policy;

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
    double? PredictedProbability = null,
    string? Template = null)
{
    /// <summary>The customer has been, or is about to be, told this news.</summary>
    public bool IsTold => Status is NoticeStatus.Sent or NoticeStatus.Delivered or NoticeStatus.Pending or NoticeStatus.Sending or NoticeStatus.Deferred;

    /// <summary>The provider accepted it (whatever its receipts said since).</summary>
    public bool WasSent => Status is NoticeStatus.Sent or NoticeStatus.Delivered or NoticeStatus.Undelivered;

    /// <summary>
    /// What a claim left it as, for a give-back to restore (the store keeps it as Sending meanwhile);
    /// null when it is not claimed. Not stored.
    /// </summary>
    public NoticeStatus? ClaimedFrom { get; init; }

    public static string IdFor(string episodeId, long sequence, Channel channel) => $"{episodeId}/{sequence}/{channel.ToString().ToLowerInvariant()}";

    /// <summary>
    /// The notice the policy decided for <paramref name="news"/>; <paramref name="told"/> is the
    /// news with the customer's preferences applied, <paramref name="message"/> its rendering.
    /// </summary>
    public static NoticeRecord Decided(
        EpisodeNews news, EpisodeNews told, NoticeDecision decision, RenderedMessage message, DateTimeOffset now, (string? Parent, string? State) trace) =>
        new(
            IdFor(news.EpisodeId, news.Sequence, decision.Channel),
            news.OrderId,
            news.EpisodeId,
            news.Sequence,
            decision.Channel,
            decision.Kind,
            news.Reason,
            NoticeLifecycle.StatusFor(decision, now),
            decision.Why,
            now,
            decision.Send ? decision.SendAt ?? now : null,
            SentAt: null,
            Attempts: 0,
            ProviderMessageId: null,
            ProviderCode: null,
            told.Customer.AddressFor(decision.Channel) ?? "",
            told.Customer.Locale,
            message.Subject,
            message.Text,
            message.Html,
            news.EstimatedDeliveryAt,
            news.ActionRequired,
            news.Customer.CustomerId,
            news,
            TraceParent: trace.Parent,
            TraceState: trace.State,
            Notes: message.Notes,
            PredictedProbability: news.PredictedProbability,
            Template: message.Template);

    /// <summary>The email that tells the news of <paramref name="sms"/>, which cannot reach the customer, due now.</summary>
    public static NoticeRecord FallbackEmail(
        NoticeRecord sms, string email, string locale, RenderedMessage message, string cause, DateTimeOffset now, (string? Parent, string? State) trace) =>
        new(
            IdFor(sms.EpisodeId, sms.Sequence, Channel.Email),
            sms.OrderId,
            sms.EpisodeId,
            sms.Sequence,
            Channel.Email,
            sms.Kind,
            sms.Reason,
            NoticeStatus.Pending,
            $"fallback for {sms.NoticeId}: {cause}",
            now,
            now,
            SentAt: null,
            Attempts: 0,
            ProviderMessageId: null,
            ProviderCode: null,
            email,
            locale,
            message.Subject,
            message.Text,
            message.Html,
            sms.EstimatedDeliveryAt,
            sms.ActionRequired,
            sms.CustomerId,
            sms.News,
            FallbackFor: sms.NoticeId,
            TraceParent: trace.Parent,
            TraceState: trace.State,
            Notes: message.Notes,
            PredictedProbability: sms.PredictedProbability,
            Template: message.Template);
}
