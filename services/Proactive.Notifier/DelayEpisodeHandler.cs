using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Incidents;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;
using Proactive.Notifier.Survey;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier;

/// <summary>One delay-episode change as delivered: who sent it, its id (the de-duplication key) and the change.</summary>
public sealed record EpisodeDelivery(string Source, string EventId, DelayEpisodeChanged Change);

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
    NoticeDispatcher dispatcher,
    NotifierMetrics metrics,
    TimeProvider time,
    IOptions<NoticePolicyOptions> options,
    SurveyDecider survey,
    IncidentSignals incidents,
    TemplateCatalog templates,
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
        using var activity = StartProcess(new EpisodeDelivery(source, eventId, change), messagingSystem, traceParent, traceState);
        var now = time.GetUtcNow();
        var news = EpisodeNews.From(change);
        var (outcome, recorded, claimed) = await store.InTransactionAsync(
            async session =>
            {
                var (outcome, recorded) = await RecordAsync(session, source, eventId, news, now);
                return (outcome, recorded, await dispatcher.ClaimDecidedAsync(session, recorded, now));
            },
            cancellationToken);

        activity?.SetTag("proactive.outcome", outcome.ToString().ToLowerInvariant());
        AfterCommit([(news, recorded)], claimed, now);
        return outcome;
    }

    /// <summary>
    /// Several changes in one transaction (one commit), each handled as <see cref="HandleAsync"/>
    /// would, in the order given — a later change of an order sees what an earlier one recorded.
    /// All or nothing: a throw means none was recorded. Each change gets its consumer span under
    /// the span <paramref name="startProducer"/> opens for its index (standalone: the relay's producer span).
    /// </summary>
    public async Task<IReadOnlyList<NewsOutcome>> HandleManyAsync(
        IReadOnlyList<EpisodeDelivery> deliveries, Func<int, Activity?> startProducer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (handled, claimed) = await store.InTransactionAsync(
            async session =>
            {
                var handled = new List<(NewsOutcome Outcome, EpisodeNews News, IReadOnlyList<NoticeRecord> Recorded)>(deliveries.Count);
                for (var i = 0; i < deliveries.Count; i++)
                {
                    var delivery = deliveries[i];
                    using var producer = startProducer(i);
                    using var activity = StartProcess(delivery, "in-process", null, null);
                    var news = EpisodeNews.From(delivery.Change);
                    var (outcome, recorded) = await RecordAsync(session, delivery.Source, delivery.EventId, news, now);
                    activity?.SetTag("proactive.outcome", outcome.ToString().ToLowerInvariant());
                    handled.Add((outcome, news, recorded));
                }

                return (handled, await dispatcher.ClaimDecidedAsync(session, [.. handled.SelectMany(h => h.Recorded)], now));
            },
            cancellationToken);

        AfterCommit([.. handled.Select(h => (h.News, h.Recorded))], claimed, now);
        return [.. handled.Select(h => h.Outcome)];
    }

    private static Activity? StartProcess(EpisodeDelivery delivery, string messagingSystem, string? traceParent, string? traceState)
    {
        var activity = ProactiveTelemetry.StartProcess(messagingSystem, Topics.Notices, delivery.EventId, traceParent, traceState);
        activity?.SetTag("cloudevents.event_id", delivery.EventId);
        activity?.SetTag("cloudevents.event_source", delivery.Source);
        activity?.SetTag("proactive.order_id", delivery.Change.OrderId);
        activity?.SetTag("proactive.episode_id", delivery.Change.EpisodeId);
        activity?.SetTag("proactive.episode.change", delivery.Change.Kind.ToString());
        return activity;
    }

    /// <summary>
    /// Counted once committed; what the transaction claimed is handed to the dispatcher, which is
    /// woken for what else is to be sent now.
    /// </summary>
    private void AfterCommit(IReadOnlyList<(EpisodeNews News, IReadOnlyList<NoticeRecord> Recorded)> handled, IReadOnlyList<NoticeRecord> claimed, DateTimeOffset now)
    {
        foreach (var (news, recorded) in handled)
        {
            RecordOutcomeMetrics(news, recorded);
        }

        dispatcher.HandOver(claimed, now);
        var taken = claimed.Select(n => n.NoticeId).ToHashSet(StringComparer.Ordinal);
        if (handled.Any(h => h.Recorded.Any(n => n.Status == NoticeStatus.Pending && !taken.Contains(n.NoticeId))))
        {
            dispatchSignal.Notify();
        }
    }

    /// <summary>The change, once and in order: a duplicate or stale one records nothing.</summary>
    private async Task<(NewsOutcome Outcome, IReadOnlyList<NoticeRecord> Recorded)> RecordAsync(
        NotifierSession session, string source, string eventId, EpisodeNews news, DateTimeOffset now)
    {
        await session.LockOrderAsync(news.OrderId);
        if (!await session.Inbox.TryMarkProcessedAsync(source, eventId, now))
        {
            return (NewsOutcome.Duplicate, []);
        }

        if (!await session.Inbox.TryAdvanceSequenceAsync(news.OrderId, news.Sequence))
        {
            return (NewsOutcome.Stale, []);
        }

        return (NewsOutcome.Decided, await DecideAsync(session, news, now));
    }

    /// <summary>Deferred and suppressed notices are outcomes now (a pending one is counted when sent); at-risk news is counted by what became of it.</summary>
    private void RecordOutcomeMetrics(EpisodeNews news, IReadOnlyList<NoticeRecord> recorded)
    {
        foreach (var notice in recorded)
        {
            if (notice.Status is NoticeStatus.Deferred or NoticeStatus.Suppressed)
            {
                metrics.Notice(notice.Channel, notice.Reason, NoticeLifecycle.Name(notice.Status));
            }

            if (notice.Kind == NoticeKind.AtRisk && notice.EpisodeId == news.EpisodeId && notice.Sequence == news.Sequence)
            {
                metrics.AtRisk(notice.Channel, notice.IsTold ? "told" : news.RecordOnly && notice.Why == NoticePolicy.RecordOnlyReason ? "record_only" : "suppressed");
            }
        }
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
        // The survey waiting for morning is not news of the delay: later news does not withdraw it.
        var waiting = all.Where(n => NoticeLifecycle.Waiting.Contains(n.Status) && n.Kind != NoticeKind.Survey).ToList();
        var ledger = all.Except(waiting).ToList();
        var withdrawn = new List<NoticeRecord>();
        if (news.Kind is EpisodeNewsKind.Resolved or EpisodeNewsKind.Delivered)
        {
            // The good news is decided on what was actually told.
            withdrawn = await WithdrawForResolutionAsync(session, news, waiting);
            waiting = [];
            ledger = [.. ledger, .. withdrawn];
        }

        List<NoticeRecord> decided = [], replaced = [];
        if (news.Kind != EpisodeNewsKind.Delivered)
        {
            var suppression = told.Customer.Email is { } email ? await session.EmailSuppressions.FindAsync(email) : null;
            var decisions = NoticePolicy.Decide(told, ledger, now, options.Value, preferences, suppression);
            decided = await RecordDecisionsAsync(session, news, told, decisions, now);
            replaced = await ReplaceWaitingAsync(session, news, decisions, waiting);
        }

        var asked = await survey.OnNewsAsync(session, news, now);
        await incidents.OnNewsAsync(session, news, now);

        activity?.SetTag("proactive.decision", string.Join(' ', decided.Concat(asked).Select(n => $"{n.Channel.ToString().ToLowerInvariant()}={NoticeLifecycle.Name(n.Status)}")));
        return [.. withdrawn, .. decided, .. replaced, .. asked];
    }

    /// <summary>The episode resolved, or the order was delivered: what is still waiting is never sent.</summary>
    private static async Task<List<NoticeRecord>> WithdrawForResolutionAsync(NotifierSession session, EpisodeNews news, List<NoticeRecord> waiting)
    {
        var why = news.Kind == EpisodeNewsKind.Delivered
            ? "withdrawn: the order was delivered before it was sent"
            : $"withdrawn: episode resolved ({(news.Resolution is { } resolution ? WireName.Of(resolution) : "")}) before it was sent";
        var withdrawn = new List<NoticeRecord>();
        foreach (var stale in waiting)
        {
            withdrawn.Add(await WithdrawAsync(session, stale, why));
        }

        return withdrawn;
    }

    /// <summary>Each decision as a new notice, rendered and stored.</summary>
    private async Task<List<NoticeRecord>> RecordDecisionsAsync(
        NotifierSession session, EpisodeNews news, EpisodeNews told, IReadOnlyList<NoticeDecision> decisions, DateTimeOffset now)
    {
        var decided = new List<NoticeRecord>();
        foreach (var decision in decisions)
        {
            var notice = Record(news, told, decision, now);
            await session.Notices.ApplyAsync(NoticeLifecycle.Decide(notice));
            decided.Add(notice);
            LogDecision(logger, news.OrderId, news.EpisodeId, decision.Channel, decision.Kind, notice.Status.ToString(), decision.Why ?? notice.Notes ?? "");
        }

        return decided;
    }

    /// <summary>What was waiting is withdrawn: replaced by the new notice on its channel, or not to be told there any more.</summary>
    private static async Task<List<NoticeRecord>> ReplaceWaitingAsync(
        NotifierSession session, EpisodeNews news, IReadOnlyList<NoticeDecision> decisions, List<NoticeRecord> waiting)
    {
        var withdrawn = new List<NoticeRecord>();
        foreach (var stale in waiting)
        {
            var replacement = decisions.FirstOrDefault(d => d.Send && d.Channel == stale.Channel);
            var why = replacement is not null
                ? $"replaced by {NoticeRecord.IdFor(news.EpisodeId, news.Sequence, stale.Channel)}: newer news before it was sent"
                : $"withdrawn: newer news ({news.EpisodeId}, sequence {news.Sequence}) before it was sent, and it is not to be told on this channel"
                    + (decisions.FirstOrDefault(d => d.Channel == stale.Channel)?.Why is { } reason ? $" ({reason})" : "");
            withdrawn.Add(await WithdrawAsync(session, stale, why));
        }

        return withdrawn;
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
            message = NoticeRenderer.Render(decision.Channel, decision.Kind, told, options.Value, templates);
        }

        return NoticeRecord.Decided(news, told, decision, message, now, ProactiveTelemetry.CurrentContext());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} episode {EpisodeId}: {Channel} {Kind} notice {Status} {Why}")]
    private static partial void LogDecision(ILogger logger, string orderId, string episodeId, Channel channel, NoticeKind kind, string status, string why);
}
