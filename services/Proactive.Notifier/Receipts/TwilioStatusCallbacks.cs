using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Store;
using Proactive.Notifier.Webhooks;

namespace Proactive.Notifier.Receipts;

/// <summary>
/// POST /v1/webhooks/twilio/status: Twilio's status callbacks for the SMS we sent (each SMS names
/// this URL, with its notice id in the signed query). Verified first (<see cref="TwilioWebhook"/>),
/// then in one unit of work: the event is marked seen (a repeat answers 200 and changes nothing),
/// its receipt stored, and the notice moved (<see cref="SmsReceipts"/>). A callback that beats the
/// record of the send is stored unlinked and applied by the dispatcher when it records the send.
/// </summary>
public sealed partial class TwilioStatusCallbacks(
    TwilioWebhook webhook,
    WebhookGate gate,
    NoticeStore store,
    DispatchSignal signal,
    NotifierMetrics metrics,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    IOptions<NoticePolicyOptions> policy,
    TemplateCatalog templates,
    ILogger<TwilioStatusCallbacks> logger)
{
    private static readonly WebhookCall Call = new("twilio", "status");

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (form, refusal) = await webhook.ReadAsync(http, Call);
        if (refusal is not null)
        {
            return refusal;
        }

        var (callback, problem) = StatusCallback.Read(form!, http.Request.Query["notice"]);
        if (callback is null)
        {
            return gate.Malformed(Call, problem!);
        }

        var now = time.GetUtcNow();
        var key = SmsReceipts.EventKey(callback.MessageSid, callback.Status, callback.ErrorCode);
        var code = callback.ErrorCode?.ToString(CultureInfo.InvariantCulture);
        var outcome = await store.InTransactionAsync(
            async session =>
            {
                if (!await session.Receipts.TryMarkSeenAsync(SmsReceipts.Provider, key, now))
                {
                    return (Applied?)null;
                }

                var notice = callback.NoticeId is { } id ? await session.Notices.FindAsync(id) : null;
                notice ??= await session.Notices.FindByProviderMessageAsync(callback.MessageSid);

                // Not sent yet as far as we know (Twilio answered faster than we recorded its 201):
                // kept unlinked, the dispatcher applies it when it records the send.
                var sent = notice is { WasSent: true, Channel: Channel.Sms } ? notice : null;
                var receipt = new DeliveryReceipt(
                    SmsReceipts.Provider, key, sent?.NoticeId, Channel.Sms, callback.MessageSid, callback.Status, code, null, callback.OccurredAt, now);
                await session.Receipts.AddAsync(receipt);
                return sent is null
                    ? new Applied(null)
                    : new Applied(await SmsReceipts.ApplyAsync(session, sent, receipt, now, policy.Value, options.Value.Twilio.FallbackCodesOrDefault, templates));
            },
            http.RequestAborted);

        if (outcome is null)
        {
            gate.Handled(Call, "duplicate");
            LogDuplicate(logger, callback.MessageSid, callback.Status, code ?? "none");
            return Results.Ok();
        }

        gate.Handled(Call, "accepted");
        metrics.Receipt(Channel.Sms, callback.Status, code);
        var effect = outcome.Effect;
        if (effect is { NewOptOut: true })
        {
            metrics.OptOut(Channel.Sms, "provider");
        }

        if (effect is { FellBack: true })
        {
            signal.Notify();
        }

        LogReceipt(
            logger,
            callback.MessageSid,
            callback.Status,
            code ?? "none",
            effect?.Notice.NoticeId ?? "(not recorded as sent yet: applied when it is)",
            effect is { Moved: true } ? $"now {NoticeLifecycle.Name(effect.Notice.Status)}" : "unchanged");
        return Results.Ok();
    }

    /// <summary>A new event: what it did to its notice, or null when it waits for the record of the send.</summary>
    private sealed record Applied(ReceiptEffect? Effect);

    [LoggerMessage(Level = LogLevel.Information, Message = "Twilio status {Status} (error code {ErrorCode}) for {MessageSid}: notice {NoticeId} {Outcome}")]
    private static partial void LogReceipt(ILogger logger, string messageSid, string status, string errorCode, string noticeId, string outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Twilio status {Status} (error code {ErrorCode}) for {MessageSid} seen before; nothing changed")]
    private static partial void LogDuplicate(ILogger logger, string messageSid, string status, string errorCode);
}
