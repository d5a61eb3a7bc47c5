using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Dispatch;

/// <summary>Wakes the dispatcher after a commit that added notices due now.</summary>
public sealed class DispatchSignal : WorkSignal;

/// <summary>
/// Sends the notices that are due and records each attempt. A notice is claimed (with a lease)
/// before its provider call and settled after it, so a crash repeats at most the send in flight.
/// Transient failures are retried with exponential backoff, honouring the provider's Retry-After;
/// permanent ones are recorded as failed with the provider's code.
/// </summary>
public sealed partial class NoticeDispatcher(
    NoticeStore store,
    IEnumerable<INoticeSender> senders,
    DispatchSignal signal,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<NoticeDispatcher> logger) : BackgroundLoop(time, logger, signal)
{
    private readonly Dictionary<Channel, INoticeSender> byChannel = senders.ToDictionary(s => s.Channel);
    private DateTimeOffset lastPrune = DateTimeOffset.MinValue;

    /// <summary>Sends everything due now; returns how many attempts were made.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            var due = await store.ClaimDueAsync(Time.GetUtcNow(), options.Value.Lease, 50, cancellationToken);
            if (due.Count == 0)
            {
                return attempts;
            }

            foreach (var notice in due)
            {
                await SendAsync(notice, cancellationToken);
                attempts++;
            }
        }
    }

    private async Task SendAsync(NoticeRecord notice, CancellationToken cancellationToken)
    {
        var sender = byChannel[notice.Channel];
        var result = await sender.SendAsync(
            new OutgoingNotice(notice.NoticeId, notice.OrderId, notice.Channel, notice.Recipient, null, notice.Locale, notice.Subject, notice.Text, notice.Html),
            cancellationToken);
        var now = Time.GetUtcNow();
        var o = options.Value;

        switch (result.Outcome)
        {
            case SendOutcome.Sent:
                await store.RecordAttemptAsync(notice, now, NoticeStatus.Sent, "sent", null, result.ProviderMessageId, null, null, cancellationToken);
                LogSent(logger, notice.NoticeId, notice.Channel, sender.Provider, notice.Attempts);
                break;
            case SendOutcome.Transient when notice.Attempts < o.MaxAttempts:
                var retryAt = now + Backoff(notice.Attempts, result.RetryAfter, o);
                await store.RecordAttemptAsync(notice, now, NoticeStatus.Pending, "transient", result.ProviderCode, null, $"{result.Detail}; retry at {retryAt:O}", retryAt, cancellationToken);
                LogRetry(logger, notice.NoticeId, notice.Channel, result.ProviderCode ?? "", notice.Attempts, retryAt);
                break;
            default:
                var why = result.Outcome == SendOutcome.Transient
                    ? $"gave up after {notice.Attempts} attempts: {result.Detail}"
                    : $"provider refused: {result.Detail}";
                await store.RecordAttemptAsync(notice, now, NoticeStatus.Failed, result.Outcome.ToString().ToLowerInvariant(), result.ProviderCode, null, why, null, cancellationToken);
                LogFailed(logger, notice.NoticeId, notice.Channel, result.ProviderCode ?? "", why);
                break;
        }
    }

    /// <summary>base × 2^(attempt−1), capped, but never sooner than the provider asked.</summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan? retryAfter, DispatchOptions o)
    {
        var exponential = TimeSpan.FromTicks(Math.Min(o.RetryMaxDelay.Ticks, o.RetryBaseDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 30))));
        return retryAfter is { } asked && asked > exponential ? asked : exponential;
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

        return base.StartAsync(cancellationToken);
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

        return await store.NextDueAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notice {NoticeId} sent by {Channel} through {Provider} (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, string noticeId, Channel channel, string provider, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice {NoticeId} ({Channel}) failed transiently with {ProviderCode} on attempt {Attempt}; retry at {RetryAt}")]
    private static partial void LogRetry(ILogger logger, string noticeId, Channel channel, string providerCode, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice {NoticeId} ({Channel}) failed with {ProviderCode}: {Why}")]
    private static partial void LogFailed(ILogger logger, string noticeId, Channel channel, string providerCode, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} notices go through {Provider}{Hint}")]
    private static partial void LogChannel(ILogger logger, Channel channel, string provider, string hint);

}
