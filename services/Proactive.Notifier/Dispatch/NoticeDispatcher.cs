using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Store;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.Notifier.Dispatch;

/// <summary>Wakes the dispatcher after a commit that added notices due now.</summary>
public sealed class DispatchSignal : WorkSignal;

/// <summary>
/// Sends the notices that are due and records each attempt. A notice is claimed (with a lease)
/// before its provider call and settled after it, so a crash repeats at most the send in flight.
/// Just before the call the customer's preferences are read again: an opt-out, new quiet hours or
/// a new language made after the decision still count. Transient failures are retried with
/// exponential backoff and jitter for a bounded time, honouring the provider's Retry-After; a
/// provider that keeps failing is left alone for a while (circuit breaker); each sender is held to
/// its messages per second. A number that can never get the SMS falls back to email.
/// </summary>
public sealed partial class NoticeDispatcher(
    NoticeStore store,
    ItemFailures failures,
    IEnumerable<INoticeSender> senders,
    DispatchSignal signal,
    NotifierMetrics metrics,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    IOptions<NoticePolicyOptions> policyOptions,
    IOptions<WebhookOptions> webhookOptions,
    TemplateCatalog templates,
    ILogger<NoticeDispatcher> logger) : BackgroundLoop(time, logger, signal)
{
    private const int Batch = 50;
    private readonly Dictionary<Channel, INoticeSender> byChannel = senders.ToDictionary(s => s.Channel);
    private readonly Dictionary<Channel, ProviderGate> gates = Observed(
        metrics,
        time,
        senders.ToDictionary(s => s.Channel, s => new ProviderGate(s.Provider, s.MessagesPerSecond, options.Value.BreakAfterFailures, options.Value.BreakFor)));

    // Every send, whoever claimed it (a round or the decision), in its customer's lane on its channel (LanesOf): in order there.
    private readonly SendLanes lanes = new(options.Value.SendConcurrency);
    // Cancelled when the host stops (never disposed: StopAsync may come after the host disposed the service).
    private readonly CancellationTokenSource stopping = new();
    // Started with background work on and not stopping: decisions may claim, hand-overs are sent.
    private volatile bool takingHandOvers;

    private DateTimeOffset lastPrune = DateTimeOffset.MinValue;

    /// <summary>
    /// Claims, in the transaction that just decided them, the new notices due now that the
    /// providers may take, so they need no claim of their own (one commit fewer before the
    /// provider call); once that transaction committed, <see cref="HandOver"/> sends them. None
    /// while the dispatcher is not running, or when the sends in flight or waiting for their lane
    /// are as many as a claim round would allow: those notices wait for the next round, as any other.
    /// The room and the providers' allowance are read, not reserved: decisions committing side by side
    /// may take a few more, and a send finding its provider's rate used up gives its notice back for a
    /// round (<see cref="HandleAsync"/>), as a round's own sends do. A notice so claimed goes before an
    /// older one of the same customer still waiting in the table (a retry coming due): rounds take
    /// those in order, the decision only its own.
    /// </summary>
    public async Task<IReadOnlyList<NoticeRecord>> ClaimDecidedAsync(NotifierSession session, IReadOnlyList<NoticeRecord> decided, DateTimeOffset now)
    {
        var room = MostUnsettled - lanes.Pending;
        if (!takingHandOvers || room <= 0)
        {
            return [];
        }

        var taking = new List<NoticeRecord>();
        // A notice changed twice in the transaction (several changes of one order) is claimed as last written.
        var latest = decided.GroupBy(n => n.NoticeId, StringComparer.Ordinal).Select(g => g.Last());
        foreach (var channel in latest.Where(IsNewAndDue).GroupBy(n => n.Channel))
        {
            var allowance = gates.TryGetValue(channel.Key, out var gate) ? gate.Allowance(now, channel.Count()) : 0;
            taking.AddRange(channel.Take(allowance));
        }

        return taking.Count == 0 ? [] : await session.Notices.ClaimAsync([.. taking.Take(room)], now, options.Value.Lease);

        bool IsNewAndDue(NoticeRecord n) => n.Status == NoticeStatus.Pending && n.Attempts == 0 && n.ScheduledAt <= now;
    }

    /// <summary>
    /// Sends notices <see cref="ClaimDecidedAsync"/> claimed, once their transaction committed: each
    /// in its customer's lane on its channel, as a claim round would. One the dispatcher cannot send now (it is
    /// stopping) keeps its claim, taken over when the lease ends.
    /// </summary>
    public void HandOver(IReadOnlyList<NoticeRecord> claimed, DateTimeOffset claimedAt)
    {
        metrics.Claimed(claimed.Count, "decision");
        if (!takingHandOvers)
        {
            // Committed as the host stops: the claims are taken over when their lease ends.
            return;
        }

        foreach (var notice in claimed)
        {
            _ = lanes.Start(LanesOf(notice), () => SendHandedOverAsync(notice, claimedAt));
        }
    }

    private async Task SendHandedOverAsync(NoticeRecord notice, DateTimeOffset claimedAt)
    {
        try
        {
            await SendOneAsync(notice, claimedAt, failedBefore: false, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the notice keeps its claim and is taken over after its lease.
        }
        catch (Exception e)
        {
            // The store or the host, not the notice: it stays claimed and is taken over after its lease.
            LogHandOverFailed(logger, notice.NoticeId, e);
        }
    }

    /// <summary>
    /// Claimed and not yet settled at most: enough to keep every slot busy, few enough that a
    /// claim does not grow old waiting for its turn (see the lease check in HandleAsync).
    /// </summary>
    private int MostUnsettled => 2 * options.Value.SendConcurrency;

    /// <summary>The circuit breaker and rate limit of the provider behind a channel.</summary>
    public ProviderGate GateFor(Channel channel) => gates[channel];

    /// <summary>
    /// A notice's lanes: its customer's on its channel. A send's outcome (an opt-out, a bounce) counts
    /// for the customer's next notice on that channel, so those go one after another, and the
    /// customer's email does not wait for their SMS's provider call. A survey takes the customer's
    /// lanes on every channel: it is withdrawn when they opted out of any channel
    /// (<see cref="NoticeLifecycle"/>), which a send on either channel may have just recorded.
    /// </summary>
    internal static string[] LanesOf(NoticeRecord notice)
    {
        var customer = notice.CustomerId ?? notice.Recipient;
        return notice.Kind == NoticeKind.Survey
            ? [.. Enum.GetValues<Channel>().Select(channel => $"{channel}:{customer}")]
            : [$"{notice.Channel}:{customer}"];
    }

    /// <summary>
    /// Sends everything due now that the providers may take; returns how many notices were handled.
    /// A round claims what is due (the claim shares a commit with the outcomes being recorded,
    /// <see cref="NoticeStore.InTransactionAsync{T}"/> on SQLite) and starts each notice in its customer's
    /// lane on the notice's channel (<see cref="SendLanes"/>): up to SendConcurrency sends at once, a
    /// customer's notices on one channel one after another. While sends are in flight, a notice decided meanwhile and not
    /// claimed by its decision (the <see cref="DispatchSignal"/>) or a free slot starts the next claim
    /// at once: no notice waits for a whole earlier round to finish, nor for the poll interval. The
    /// lanes also carry the notices handed over by their decisions (<see cref="HandOver"/>): this
    /// returns once the sends it started itself settled, whatever else is in the lanes, and while
    /// they run it claims again every poll interval, so retries coming due and notices given back
    /// never wait behind a steady stream of handed-over sends (which wake no round).
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        var concurrency = options.Value.SendConcurrency;
        var most = MostUnsettled;
        var claimNow = true;
        var more = true;
        var mine = new List<Task>();
        using var polled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pollDue = Task.Delay(options.Value.PollInterval, Time, polled.Token);
        try
        {
            while (true)
            {
                // Claim when told of new notices, or when the last claim found some and the slots
                // are running dry; not after every send (each claim is a statement and a commit).
                if ((claimNow || (more && lanes.Pending < concurrency)) && lanes.Pending < most)
                {
                    var claimed = await ClaimRoundAsync(most - lanes.Pending, mine, cancellationToken);
                    handled += claimed;
                    claimNow = false;
                    more = claimed > 0;
                    if (more)
                    {
                        continue;
                    }
                }

                mine.RemoveAll(t => t.IsCompletedSuccessfully);
                if (mine.All(t => t.IsCompleted))
                {
                    return handled;
                }

                // Busy: go on when a send finished or new notices were decided, whichever comes first.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var notified = signal.NotifiedAsync(stop.Token);
                await Task.WhenAny(lanes.AnyFinishedAsync(), notified, pollDue);
                await stop.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
                if (pollDue.IsCompletedSuccessfully)
                {
                    claimNow = true;
                    pollDue = Task.Delay(options.Value.PollInterval, Time, polled.Token);
                }

                claimNow |= notified.IsCompletedSuccessfully;
            }
        }
        finally
        {
            await polled.CancelAsync();
            await Task.WhenAll(mine);
        }
    }

    /// <summary>Claims up to <paramref name="room"/> due notices and starts each in its customer's lane on its channel; returns how many.</summary>
    private async Task<int> ClaimRoundAsync(int room, List<Task> started, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        // The room is shared by the channels: a customer's email waits in their lane behind their
        // SMS, so claiming the room for each channel would let the second of each pair grow old
        // (past the lease's half) before its turn, be given back, and starve under load.
        var share = Math.Min(Batch, (room + gates.Count - 1) / gates.Count);
        var limits = gates.ToDictionary(g => g.Key, g => g.Value.Allowance(now, share));
        if (limits.Values.All(l => l == 0))
        {
            return 0;
        }

        var due = await store.ClaimDueAsync(now, options.Value.Lease, limits, cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        metrics.Claimed(due.Count, "round");

        var failing = await failures.FailingAsync(NoticeStore.DispatchQueue, due.Select(n => n.NoticeId).ToList(), cancellationToken);
        foreach (var notice in due)
        {
            // A notice's slot is freed only once its outcome is committed, so no more than
            // SendConcurrency sends are ever unrecorded (what a crash can repeat).
            started.Add(lanes.Start(LanesOf(notice), () => SendOneAsync(notice, now, failing.Contains(notice.NoticeId), cancellationToken)));
        }

        return due.Count;
    }

    private async Task SendOneAsync(NoticeRecord notice, DateTimeOffset claimedAt, bool failedBefore, CancellationToken cancellationToken)
    {
        var providerCalled = new StrongBox<bool>();
        try
        {
            await HandleAsync(notice, claimedAt, providerCalled, cancellationToken);
            if (failedBefore)
            {
                await failures.ClearAsync(NoticeStore.DispatchQueue, notice.NoticeId, cancellationToken);
            }
        }
        catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
        {
            await HoldAsync(notice, e, providerCalled.Value, cancellationToken);
        }
    }

    /// <summary>
    /// A notice that broke (its sender, its rendering, the store on its data) fails alone: counted
    /// against it, retried with backoff, then parked, and given back to the queue untouched
    /// meanwhile. If the provider was already called it may have sent it: it is parked at once
    /// rather than sent again by itself.
    /// </summary>
    private async Task HoldAsync(NoticeRecord notice, Exception error, bool providerCalled, CancellationToken cancellationToken)
    {
        var failure = providerCalled
            ? new InvalidOperationException($"the provider was called, then recording the outcome failed (not sent again unless retried): {ItemFailures.Describe(error)}", error)
            : error;
        await failures.RecordAsync(NoticeStore.DispatchQueue, notice.OrderId, notice.NoticeId, failure, cancellationToken, park: providerCalled);
        await store.ApplyAsync(NoticeLifecycle.GiveBack(notice), cancellationToken);
    }

    /// <summary>
    /// One notice, in a "notice send" span continuing the trace its decision was made in (the row
    /// carries the context): the provider's HTTP call is a child of it.
    /// </summary>
    private async Task HandleAsync(NoticeRecord notice, DateTimeOffset claimedAt, StrongBox<bool> providerCalled, CancellationToken cancellationToken)
    {
        using var activity = StartSendSpan(notice);
        var gate = gates[notice.Channel];
        if (gate.OpenUntil(Time.GetUtcNow()) is { } until)
        {
            // Claimed before the circuit opened: back in the queue, the claim not counted as an attempt.
            var why = $"waiting: {gate.Provider} failed {gate.ConsecutiveFailures} times in a row; next try at {until:O}";
            await store.ApplyAsync(NoticeLifecycle.HoldForProvider(notice, why, until), cancellationToken);
            return;
        }

        var (ready, held) = await CheckBeforeSendingAsync(notice, cancellationToken);
        if (held is not null)
        {
            await HoldBackAsync(held, cancellationToken);
            return;
        }

        if (ready is null)
        {
            // Rewritten, but the claim was taken over meanwhile: its new holder sends it.
            return;
        }

        if (gate.Allowance(Time.GetUtcNow(), 1) == 0 || Time.GetUtcNow() - claimedAt > options.Value.Lease / 2)
        {
            // The sender's rate is used up for now (a long SMS costs more than one, or the provider
            // asked to wait), or this claim is getting old (a slow batch): give it back untouched
            // rather than send on a lease another replica may take over.
            await store.ApplyAsync(NoticeLifecycle.GiveBack(ready), cancellationToken);
            return;
        }

        await SendAsync(ready, gate, providerCalled, cancellationToken);
    }

    private Activity? StartSendSpan(NoticeRecord notice)
    {
        var activity = ProactiveTelemetry.Start("notice send", parent: ProactiveTelemetry.ContextFrom(notice.TraceParent, notice.TraceState) ?? default);
        activity?.SetTag("proactive.notice_id", notice.NoticeId);
        activity?.SetTag("proactive.order_id", notice.OrderId);
        activity?.SetTag("proactive.episode_id", notice.EpisodeId);
        activity?.SetTag("proactive.channel", notice.Channel.ToString().ToLowerInvariant());
        activity?.SetTag("proactive.provider", byChannel[notice.Channel].Provider);
        activity?.SetTag("proactive.attempt", notice.Attempts);
        return activity;
    }

    /// <summary>
    /// The notice to send (rewritten if the customer's language changed), or the check that holds
    /// it back: the customer's preferences as they are now, not as they were at the decision.
    /// Neither when the rewrite found the claim taken over (not to be sent by this claim).
    /// </summary>
    private async Task<(NoticeRecord? Ready, SendCheck? Held)> CheckBeforeSendingAsync(NoticeRecord notice, CancellationToken cancellationToken)
    {
        // The address may have hard-bounced since the decision (another notice's bounce).
        if (notice.Channel == Channel.Email && await store.ReadAsync(r => r.EmailSuppressionAsync(notice.Recipient), cancellationToken) is { } suppression)
        {
            return (null, new SendCheck(NoticeLifecycle.Withdraw(notice, $"withdrawn before sending: {suppression.Why}")));
        }

        if (notice.CustomerId is not { } customerId)
        {
            return (notice, null);
        }

        var preferences = await store.PreferencesAsync(customerId, cancellationToken);
        if (NoticeLifecycle.CheckBeforeSending(notice, preferences, Time.GetUtcNow(), policyOptions.Value, templates) is not { } check)
        {
            return (notice, null);
        }

        if (check.Change.Transition != NoticeTransition.Rewritten)
        {
            return (null, check);
        }

        return await store.ApplyAsync(check.Change, cancellationToken) ? (check.Change.After, null) : (null, null);
    }

    /// <summary>Not sent now: withdrawn (an SMS the customer stopped falls back to email) or deferred again.</summary>
    private async Task HoldBackAsync(SendCheck held, CancellationToken cancellationToken)
    {
        var stored = await store.InTransactionAsync(
            async session => held.OptedOut
                ? await EmailFallback.WithdrawAsync(session, held.Change, Time.GetUtcNow(), policyOptions.Value, templates)
                : await session.Notices.ApplyAsync(held.Change) ? held.Change : null,
            cancellationToken);
        var notice = (stored ?? held.Change).After;
        if (notice.Status == NoticeStatus.Suppressed)
        {
            // Deferred again for quiet hours is not a new outcome: it was counted when decided.
            metrics.Notice(notice.Channel, notice.Reason, NoticeLifecycle.Name(notice.Status));
        }

        Activity.Current?.SetTag("proactive.decision", NoticeLifecycle.Name(notice.Status));
        LogHeld(logger, notice.NoticeId, notice.Channel, notice.Status, notice.Why!);
    }

    /// <summary>The provider call and what its answer makes of the notice.</summary>
    private async Task SendAsync(NoticeRecord notice, ProviderGate gate, StrongBox<bool> providerCalled, CancellationToken cancellationToken)
    {
        var result = await CallProviderAsync(notice, gate, cancellationToken);
        providerCalled.Value = true;
        var now = Time.GetUtcNow();
        switch (result.Outcome)
        {
            case SendOutcome.Sent:
                await AcceptedAsync(notice, result, gate, now, cancellationToken);
                break;
            case SendOutcome.Transient:
                await FailedTransientlyAsync(notice, result, gate, now, cancellationToken);
                break;
            default:
                await RefusedAsync(notice, result, gate, now, cancellationToken);
                break;
        }
    }

    private async Task<SendResult> CallProviderAsync(NoticeRecord notice, ProviderGate gate, CancellationToken cancellationToken)
    {
        var sender = byChannel[notice.Channel];
        gate.Take(Time.GetUtcNow(), notice.Channel == Channel.Sms ? SmsSegments.Count(notice.Text) : 1);
        var result = await sender.SendAsync(
            new OutgoingNotice(notice.NoticeId, notice.OrderId, notice.Channel, notice.Recipient, null, notice.Locale, notice.Subject, notice.Text, notice.Html),
            cancellationToken);
        Activity.Current?.SetTag("proactive.send.outcome", result.Outcome.ToString().ToLowerInvariant());
        Activity.Current?.SetTag("proactive.provider.code", result.ProviderCode);
        if (result.Outcome != SendOutcome.Sent)
        {
            metrics.ProviderError(sender.Provider, result.ProviderCode);
        }

        return result;
    }

    private async Task AcceptedAsync(NoticeRecord notice, SendResult result, ProviderGate gate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        gate.Succeeded();
        metrics.Sent(notice, now, result.Local);
        var accepted = NoticeLifecycle.Accept(notice, now, result.ProviderMessageId, result.Local);
        // A status callback or SendGrid event can beat this record of the send: what came early is applied now.
        var early = await store.InTransactionAsync(
            async session => await session.Notices.ApplyAsync(accepted)
                ? accepted.After.Channel == Channel.Email
                    ? await EmailReceipts.ApplyEarlyAsync(session, accepted.After)
                    : await SmsReceipts.ApplyEarlyAsync(session, accepted.After, now, policyOptions.Value, webhookOptions.Value.Twilio.FallbackCodesOrDefault, templates)
                : null,
            cancellationToken);
        LogSent(logger, notice.NoticeId, notice.Channel, gate.Provider, notice.Attempts);
        if (early is { NewOptOut: true })
        {
            metrics.OptOut(notice.Channel, "provider");
        }

        if (early is { FellBack: true })
        {
            signal.Notify();
        }
    }

    /// <summary>Retried with backoff (the provider's wait honoured, the circuit told) while attempts and time are left.</summary>
    private async Task FailedTransientlyAsync(NoticeRecord notice, SendResult result, ProviderGate gate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (result.RetryAfter is { } wait && wait > TimeSpan.Zero)
        {
            gate.Pause(now + wait);
        }

        if (gate.Failed(now))
        {
            LogCircuitOpen(logger, gate.Provider, gate.ConsecutiveFailures, gate.OpenUntil(now) ?? now);
        }

        var retryAt = now + Backoff(notice.Attempts, result.RetryAfter, options.Value, Random.Shared.NextDouble());
        var change = NoticeLifecycle.FailTransiently(notice, now, result.ProviderCode, result.Detail, retryAt, options.Value);
        await store.ApplyAsync(change, cancellationToken);
        if (change.Transition == NoticeTransition.RetryScheduled)
        {
            LogRetry(logger, notice.NoticeId, notice.Channel, result.ProviderCode ?? "-", result.Detail ?? "", notice.Attempts, retryAt);
            return;
        }

        metrics.Notice(notice.Channel, notice.Reason, NoticeLifecycle.Name(NoticeStatus.Failed));
        LogFailed(logger, notice.NoticeId, notice.Channel, result.ProviderCode ?? "", change.After.Why!);
    }

    /// <summary>
    /// Refused for good. A recipient who unsubscribed (STOP) is opted out of the channel; an SMS
    /// that cannot reach the customer falls back to email.
    /// </summary>
    private async Task RefusedAsync(NoticeRecord notice, SendResult result, ProviderGate gate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        gate.Succeeded();
        var (why, newOptOut) = await store.InTransactionAsync(
            async session =>
            {
                await session.LockOrderAsync(notice.OrderId);
                var why = $"provider refused: {result.Detail}";
                var newOptOut = false;
                if (result.Problem == RecipientProblem.OptedOut && notice.CustomerId is { } customerId)
                {
                    newOptOut = await PreferenceChanges.RecordOptOutAsync(session, customerId, notice.Channel, new OptOut(now, $"{gate.Provider} {result.ProviderCode}"));
                    why += $"; the customer is now opted out of {notice.Channel.ToString().ToLowerInvariant()}";
                }

                NoticeChange? fallback = null;
                if (result.Problem != RecipientProblem.None)
                {
                    (fallback, var note) = await EmailFallback.PlanAsync(session, notice, $"the SMS could not be delivered ({result.ProviderCode})", now, policyOptions.Value, templates);
                    why += note;
                }

                var refused = NoticeLifecycle.Refuse(notice, now, result.ProviderCode, why, optedOut: result.Problem == RecipientProblem.OptedOut);
                if (await session.Notices.ApplyAsync(refused) && fallback is not null)
                {
                    await session.Notices.ApplyAsync(fallback);
                }

                return (why, newOptOut);
            },
            cancellationToken);
        if (newOptOut)
        {
            metrics.OptOut(notice.Channel, "provider");
        }

        metrics.Notice(notice.Channel, notice.Reason, NoticeLifecycle.Name(NoticeStatus.Failed));
        LogFailed(logger, notice.NoticeId, notice.Channel, result.ProviderCode ?? "", why);
    }

    /// <summary>
    /// Exponential backoff with "equal jitter": half of base × 2^(attempt−1) (capped) plus a random
    /// share of the other half, so retries of many notices spread out; never sooner than the
    /// provider asked. <paramref name="jitter"/> is a number in [0, 1).
    /// </summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan? retryAfter, DispatchOptions o, double jitter)
    {
        var exponential = Math.Min(o.RetryMaxDelay.Ticks, o.RetryBaseDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 30)));
        var jittered = TimeSpan.FromTicks((exponential / 2) + (long)(exponential / 2 * Math.Clamp(jitter, 0, 1)));
        return retryAfter is { } asked && asked > jittered ? asked : jittered;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var sender in byChannel.Values)
        {
            var hint = sender.Provider != "local-outbox" ? ""
                : sender.Channel == Channel.Sms ? " (set Twilio:AccountSid, Twilio:AuthToken and Twilio:From to send through Twilio)"
                : " (set SendGrid:ApiKey and SendGrid:From to send through SendGrid)";
            LogChannel(logger, sender.Channel, sender.Provider, hint);
        }

        takingHandOvers = Enabled;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        takingHandOvers = false;
        await stopping.CancelAsync();
        await base.StopAsync(cancellationToken);

        // Sends cancelled or failed as the store goes away: what was claimed and not settled is
        // taken over after its lease; a handed-over send logged its own failure.
        await lanes.AllFinishedAsync();
    }

    protected override bool Enabled => options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        await DispatchDueAsync(cancellationToken);
        if (Time.GetUtcNow() - lastPrune > TimeSpan.FromHours(1))
        {
            await store.PruneInboxAsync(Time.GetUtcNow() - options.Value.InboxRetention, cancellationToken);
            lastPrune = Time.GetUtcNow();
        }

        await RefreshQueueStatsAsync(cancellationToken);
        return await NextDueAsync(cancellationToken);
    }

    /// <summary>Takes a fresh look at the due notices for the gauges.</summary>
    public async Task RefreshQueueStatsAsync(CancellationToken cancellationToken)
    {
        var (due, oldest) = await store.QueueStatsAsync(Time.GetUtcNow(), cancellationToken);
        metrics.Queue(due, oldest);
        await failures.RefreshAsync(cancellationToken);
    }

    /// <summary>The gates, with the circuit-state gauge reading them.</summary>
    private static Dictionary<Channel, ProviderGate> Observed(NotifierMetrics metrics, TimeProvider time, Dictionary<Channel, ProviderGate> gates)
    {
        metrics.ObserveCircuits(() => gates.Values.Select(g => (g.Provider, (int)g.State(time.GetUtcNow()))));
        return gates;
    }

    /// <summary>The next instant there is work a provider may take: a notice falls due and its gate is open.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset? next = null;
        var now = Time.GetUtcNow();
        foreach (var (channel, gate) in gates)
        {
            if (await store.NextDueAsync(channel, cancellationToken) is not { } due)
            {
                continue;
            }

            var ready = gate.ReadyAt(now);
            var at = due > ready ? due : ready;
            next = next is null || at < next ? at : next;
        }

        return next;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notice {NoticeId} sent by {Channel} through {Provider} (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, string noticeId, Channel channel, string provider, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice {NoticeId} ({Channel}) failed transiently with {ProviderCode} ({Why}) on attempt {Attempt}; retry at {RetryAt}")]
    private static partial void LogRetry(ILogger logger, string noticeId, Channel channel, string providerCode, string why, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice {NoticeId} ({Channel}) failed with {ProviderCode}: {Why}")]
    private static partial void LogFailed(ILogger logger, string noticeId, Channel channel, string providerCode, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notice {NoticeId} ({Channel}) not sent now: {Status}, {Why}")]
    private static partial void LogHeld(ILogger logger, string noticeId, Channel channel, NoticeStatus status, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit open for {Provider} after {Failures} transient failures in a row; next try at {Until}")]
    private static partial void LogCircuitOpen(ILogger logger, string provider, int failures, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice {NoticeId}, claimed when decided, was not sent now; it is taken over when its lease ends")]
    private static partial void LogHandOverFailed(ILogger logger, string noticeId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} notices go through {Provider}{Hint}")]
    private static partial void LogChannel(ILogger logger, Channel channel, string provider, string hint);
}
