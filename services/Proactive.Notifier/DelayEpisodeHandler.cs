using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier;

public enum NewsOutcome
{
    Decided,
    Duplicate,
    Stale,
}

/// <summary>
/// Notifier's one entry point: a delay-episode change from Tracker. In one transaction it marks the
/// change processed, applies the notice policy, renders what is to be sent and records every
/// decision. Delivery is at least once, so a change already processed is ignored, and one older
/// than what the order has seen (by sequence) changes nothing.
/// </summary>
public sealed partial class DelayEpisodeHandler(
    NoticeStore store,
    DispatchSignal dispatchSignal,
    TimeProvider time,
    IOptions<NoticePolicyOptions> options,
    ILogger<DelayEpisodeHandler> logger)
{
    public async Task<NewsOutcome> HandleAsync(string source, string eventId, DelayEpisodeChanged change, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var news = ToNews(change);
        var (outcome, toSend) = await store.Database.WriteAsync(
            async (c, tx) =>
            {
                await store.Database.LockAsync(c, tx, news.OrderId);
                if (!await NoticeStore.TryMarkProcessedAsync(c, tx, source, eventId, now))
                {
                    return (NewsOutcome.Duplicate, 0);
                }

                if (!await NoticeStore.TryAdvanceSequenceAsync(c, tx, news.OrderId, news.Sequence))
                {
                    return (NewsOutcome.Stale, 0);
                }

                var preferences = await NoticeStore.PreferencesAsync(c, tx, news.Customer.CustomerId);
                var told = news with { Customer = preferences.ApplyTo(news.Customer) };
                IReadOnlyList<NoticeRecord> ledger;
                IReadOnlyList<NoticeRecord> unsent;
                if (news.Kind == EpisodeNewsKind.Resolved)
                {
                    await NoticeStore.WithdrawUnsentAsync(c, tx, news.OrderId, $"withdrawn: episode resolved ({news.Resolution}) before it was sent");
                    ledger = await NoticeStore.ForOrderAsync(c, tx, news.OrderId);
                    unsent = [];
                }
                else
                {
                    // News not yet sent (held for quiet hours) is overtaken by newer news: decide as if
                    // it had not been told, and withdraw it for what replaces it, never sending it stale.
                    var all = await NoticeStore.ForOrderAsync(c, tx, news.OrderId);
                    unsent = all.Where(n => n.EpisodeId == news.EpisodeId && n.Status is NoticeStatus.Pending or NoticeStatus.Deferred).ToList();
                    ledger = all.Except(unsent).ToList();
                }

                var decisions = NoticePolicy.Decide(told, ledger, now, options.Value, preferences);
                foreach (var decision in decisions)
                {
                    var notice = Record(news, told, decision, now);
                    await NoticeStore.AddAsync(c, tx, notice);
                    foreach (var overtaken in unsent.Where(n => decision.Send && n.Channel == decision.Channel))
                    {
                        await NoticeStore.WithdrawAsync(c, tx, overtaken.NoticeId, $"replaced by {notice.NoticeId}: newer news before it was sent");
                    }

                    LogDecision(logger, news.OrderId, news.EpisodeId, decision.Channel, decision.Kind, notice.Status.ToString(), decision.Why ?? "");
                }

                return (NewsOutcome.Decided, decisions.Count(d => d.Send));
            },
            cancellationToken);

        if (toSend > 0)
        {
            dispatchSignal.Notify();
        }

        return outcome;
    }

    /// <summary>The notice as decided; <paramref name="told"/> is the news with the customer's preferences applied.</summary>
    private NoticeRecord Record(EpisodeNews news, EpisodeNews told, NoticeDecision decision, DateTimeOffset now)
    {
        var message = NoticeRenderer.Render(decision.Channel, decision.Kind, told, options.Value);
        return new NoticeRecord(
            NoticeRecord.IdFor(news.EpisodeId, news.Sequence, decision.Channel),
            news.OrderId,
            news.EpisodeId,
            news.Sequence,
            decision.Channel,
            decision.Kind,
            news.Reason,
            !decision.Send ? NoticeStatus.Suppressed : decision.SendAt > now ? NoticeStatus.Deferred : NoticeStatus.Pending,
            decision.Why,
            now,
            decision.Send ? decision.SendAt ?? now : null,
            null,
            0,
            null,
            null,
            told.Customer.AddressFor(decision.Channel) ?? "",
            told.Customer.Locale,
            message.Subject,
            message.Text,
            message.Html,
            news.EstimatedDeliveryAt,
            news.ActionRequired,
            news.Customer.CustomerId,
            news);
    }

    internal static EpisodeNews ToNews(DelayEpisodeChanged change)
    {
        var customer = change.Customer;
        return new EpisodeNews(
            change.OrderId,
            change.EpisodeId,
            change.Sequence,
            change.Kind switch
            {
                DelayEpisodeChanged.Types.Kind.Detected => EpisodeNewsKind.Detected,
                DelayEpisodeChanged.Types.Kind.Worsened => EpisodeNewsKind.Worsened,
                DelayEpisodeChanged.Types.Kind.Updated => EpisodeNewsKind.Updated,
                _ => EpisodeNewsKind.Resolved,
            },
            change.Reason,
            NonEmpty(change.ExceptionCode),
            change.ActionRequired,
            change.PromisedBy.ToDateTimeOffset(),
            change.EstimatedDeliveryAt?.ToDateTimeOffset(),
            new CustomerContact(
                customer.CustomerId,
                NonEmpty(customer.Name),
                NonEmpty(customer.Phone),
                NonEmpty(customer.Email),
                NonEmpty(customer.Locale) ?? "en-US",
                NonEmpty(customer.TimeZone),
                customer.Channels
                    .Where(c => c != Contracts.Events.V1.Channel.Unspecified)
                    .Select(c => c == Contracts.Events.V1.Channel.Sms ? Channel.Sms : Channel.Email)
                    .Distinct()
                    .ToList()),
            NonEmpty(change.TrackingUrl),
            NonEmpty(change.Carrier),
            NonEmpty(change.Resolution),
            change.OccurredAt?.ToDateTimeOffset());
    }

    private static string? NonEmpty(string value) => value.Length > 0 ? value : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} episode {EpisodeId}: {Channel} {Kind} notice {Status} {Why}")]
    private static partial void LogDecision(ILogger logger, string orderId, string episodeId, Channel channel, NoticeKind kind, string status, string why);
}
