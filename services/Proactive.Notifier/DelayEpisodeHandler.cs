using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Contracts;
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
    NotifierMetrics metrics,
    TimeProvider time,
    IOptions<NoticePolicyOptions> options,
    ILogger<DelayEpisodeHandler> logger)
{
    /// <summary>
    /// Handles one delay-episode change in a consumer span: parented on the trace context the
    /// CloudEvent carried (<paramref name="traceParent"/>, Dapr hosting) or on the current span (the
    /// relay's producer span, standalone). Each notice row stores the context, so its send continues
    /// the same trace.
    /// </summary>
    public async Task<NewsOutcome> HandleAsync(
        string source,
        string eventId,
        DelayEpisodeChanged change,
        CancellationToken cancellationToken,
        string messagingSystem = "in-process",
        string? traceParent = null,
        string? traceState = null)
    {
        using var activity = ProactiveTelemetry.StartProcess(messagingSystem, Topics.Notices, eventId, traceParent, traceState);
        activity?.SetTag("cloudevents.event_id", eventId);
        activity?.SetTag("cloudevents.event_source", source);
        activity?.SetTag("proactive.order_id", change.OrderId);
        activity?.SetTag("proactive.episode_id", change.EpisodeId);
        activity?.SetTag("proactive.episode.change", change.Kind.ToString());

        var now = time.GetUtcNow();
        var news = EpisodeNews.From(change);
        var (outcome, recorded) = await store.InTransactionAsync(
            async session =>
            {
                await session.LockOrderAsync(news.OrderId);
                if (!await session.Inbox.TryMarkProcessedAsync(source, eventId, now))
                {
                    return (NewsOutcome.Duplicate, (IReadOnlyList<NoticeRecord>)[]);
                }

                if (!await session.Inbox.TryAdvanceSequenceAsync(news.OrderId, news.Sequence))
                {
                    return (NewsOutcome.Stale, []);
                }

                return (NewsOutcome.Decided, await DecideAsync(session, news, now));
            },
            cancellationToken);

        activity?.SetTag("proactive.outcome", outcome.ToString().ToLowerInvariant());
        foreach (var notice in recorded)
        {
            if (notice.Status is NoticeStatus.Deferred or NoticeStatus.Suppressed)
            {
                metrics.Notice(notice.Channel, notice.Reason, notice.Status.ToString().ToLowerInvariant());
            }

            if (notice.Kind == NoticeKind.AtRisk && notice.EpisodeId == news.EpisodeId && notice.Sequence == news.Sequence)
            {
                metrics.AtRisk(notice.Channel, notice.IsTold ? "told" : news.RecordOnly && notice.Why == NoticePolicy.RecordOnlyReason ? "record_only" : "suppressed");
            }
        }

        if (recorded.Any(n => n.Status == NoticeStatus.Pending))
        {
            dispatchSignal.Notify();
        }

        return outcome;
    }

    /// <summary>
    /// The policy's decisions for the news, in a "notice decide" span, recorded with the notices
    /// they replace or withdraw. Returns every row written or changed.
    /// </summary>
    private async Task<IReadOnlyList<NoticeRecord>> DecideAsync(NotifierSession session, EpisodeNews news, DateTimeOffset now)
    {
        using var activity = ProactiveTelemetry.Start("notice decide");
        activity?.SetTag("proactive.order_id", news.OrderId);
        activity?.SetTag("proactive.episode_id", news.EpisodeId);
        activity?.SetTag("proactive.rule", WireName.Of(news.Reason));

        var preferences = await session.Preferences.ForCustomerAsync(news.Customer.CustomerId);
        var told = preferences.ApplyTo(news);

        // Newer news overtakes whatever is still waiting for the order (held for quiet hours, or
        // behind a provider's outage), in this episode or an earlier one: it is decided as if it had
        // not been told, and withdrawn, never sent stale. Locked first, so a dispatcher cannot
        // claim it meanwhile; one it already claimed counts as told.
        await session.Notices.LockWaitingAsync(news.OrderId);
        var all = await session.Notices.ForOrderAsync(news.OrderId);
        var waiting = all.Where(n => NoticeLifecycle.Waiting.Contains(n.Status)).ToList();
        var ledger = all.Except(waiting).ToList();
        var written = new List<NoticeRecord>();
        if (news.Kind == EpisodeNewsKind.Resolved)
        {
            // The good news is decided on what was actually told.
            foreach (var stale in waiting)
            {
                written.Add(await WithdrawAsync(session, stale, $"withdrawn: episode resolved ({(news.Resolution is { } resolution ? WireName.Of(resolution) : "")}) before it was sent"));
            }

            waiting = [];
            ledger = [.. ledger, .. written];
        }

        var decisions = NoticePolicy.Decide(told, ledger, now, options.Value, preferences);
        foreach (var decision in decisions)
        {
            var notice = Record(news, told, decision, now);
            await session.Notices.ApplyAsync(NoticeLifecycle.Decide(notice));
            written.Add(notice);
            LogDecision(logger, news.OrderId, news.EpisodeId, decision.Channel, decision.Kind, notice.Status.ToString(), decision.Why ?? notice.Notes ?? "");
        }

        foreach (var stale in waiting)
        {
            var replacement = decisions.FirstOrDefault(d => d.Send && d.Channel == stale.Channel);
            var why = replacement is not null
                ? $"replaced by {NoticeRecord.IdFor(news.EpisodeId, news.Sequence, stale.Channel)}: newer news before it was sent"
                : $"withdrawn: newer news ({news.EpisodeId}, sequence {news.Sequence}) before it was sent, and it is not to be told on this channel"
                    + (decisions.FirstOrDefault(d => d.Channel == stale.Channel)?.Why is { } reason ? $" ({reason})" : "");
            written.Add(await WithdrawAsync(session, stale, why));
        }

        activity?.SetTag("proactive.decision", string.Join(' ', decisions.Select(d => $"{d.Channel.ToString().ToLowerInvariant()}={(d.Send ? d.SendAt > now ? "deferred" : "pending" : "suppressed")}")));
        return written;
    }

    private static async Task<NoticeRecord> WithdrawAsync(NotifierSession session, NoticeRecord notice, string why)
    {
        var withdrawal = NoticeLifecycle.Withdraw(notice, why);
        await session.Notices.ApplyAsync(withdrawal);
        return withdrawal.After;
    }

    /// <summary>The notice as decided; <paramref name="told"/> is the news with the customer's preferences applied.</summary>
    private NoticeRecord Record(EpisodeNews news, EpisodeNews told, NoticeDecision decision, DateTimeOffset now)
    {
        RenderedMessage message;
        using (var render = ProactiveTelemetry.Start("notice render"))
        {
            render?.SetTag("proactive.channel", decision.Channel.ToString().ToLowerInvariant());
            render?.SetTag("proactive.notice.kind", decision.Kind.ToString());
            render?.SetTag("proactive.locale", told.Customer.Locale);
            message = NoticeRenderer.Render(decision.Channel, decision.Kind, told, options.Value);
        }

        return NoticeRecord.Decided(news, told, decision, message, now, ProactiveTelemetry.CurrentContext());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} episode {EpisodeId}: {Channel} {Kind} notice {Status} {Why}")]
    private static partial void LogDecision(ILogger logger, string orderId, string episodeId, Channel channel, NoticeKind kind, string status, string why);
}
