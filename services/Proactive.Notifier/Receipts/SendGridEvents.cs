using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Store;
using Proactive.Notifier.Webhooks;

namespace Proactive.Notifier.Receipts;

/// <summary>
/// POST /v1/webhooks/sendgrid/events: SendGrid's signed Event Webhook, a JSON array of events.
/// Verified before anything is read (<see cref="SendGridSignature"/>), then each event applied
/// once (by sg_event_id, in the unit of work of its effect) to the notice it names: its notice_id
/// custom arg, else the X-Message-Id its sg_message_id starts with (see
/// <see cref="SendGridEvent.Effect"/> for what each event does). An element that is not an event
/// is skipped and named in the answer, so that one bad element does not make SendGrid retry, and
/// lose, the good ones with it; a body with no event at all is 400.
/// </summary>
public sealed partial class SendGridEvents(
    WebhookGate gate,
    SendGridSignature signature,
    NoticeStore store,
    NotifierMetrics metrics,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<SendGridEvents> logger)
{
    public const string Provider = "sendgrid";
    private static readonly WebhookCall Call = new(Provider, "events");

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (body, refusal) = await gate.ReadAsync(http, Call, options.Value.SendGridEnabled, "application/json");
        if (refusal is not null)
        {
            return refusal;
        }

        if (signature.Check(http.Request.Headers, body!) is { } reason)
        {
            return gate.Refuse(Call, reason);
        }

        var (events, problems) = SendGridEvent.ParseBatch(body!);
        if (events is null || (events.Count == 0 && problems.Count > 0))
        {
            return gate.Malformed(Call, string.Join("; ", problems.Take(5)));
        }

        if (problems.Count > 0)
        {
            LogSkipped(logger, problems.Count, string.Join("; ", problems.Take(5)));
        }

        var outcomes = new List<string>();
        foreach (var e in events)
        {
            outcomes.Add(await ApplyAsync(e, http.RequestAborted));
        }

        var accepted = outcomes.Count(o => o == "accepted");
        var duplicates = outcomes.Count(o => o == "duplicate");
        var ignored = outcomes.Count(o => o == "ignored");
        gate.Handled(Call, accepted > 0 ? "accepted" : duplicates > 0 ? "duplicate" : "ignored");
        LogBatch(logger, events.Count, accepted, duplicates, ignored, problems.Count);
        return Results.Ok(new { accepted, duplicates, ignored, skipped = problems });
    }

    /// <summary>One event in its own unit of work: "accepted", "duplicate" (seen before) or "ignored".</summary>
    private async Task<string> ApplyAsync(SendGridEvent e, CancellationToken ct)
    {
        var effect = e.Effect;
        if (effect == EmailEventEffect.Ignored)
        {
            metrics.Receipt(Channel.Email, e.MetricName, null);
            LogEvent(logger, e.EventId, e.Event, e.NoticeId ?? "", "ignored");
            return "ignored";
        }

        var now = time.GetUtcNow();
        var (applied, noticeId, optedOut) = await store.InTransactionAsync(
            async session =>
            {
                if (!await session.Receipts.TryMarkSeenAsync(Provider, e.EventId, now))
                {
                    return (false, (string?)null, false);
                }

                var notice = await FindNoticeAsync(session, e);
                await session.Receipts.AddAsync(new DeliveryReceipt(
                    Provider, e.EventId, notice?.NoticeId, Channel.Email, e.MessageId, e.ReceiptStatus, e.Status, e.Detail, e.OccurredAt, now));
                var optedOut = await ApplyEffectAsync(session, e, effect, notice, now);
                return (true, notice?.NoticeId, optedOut);
            },
            ct);
        if (!applied)
        {
            LogEvent(logger, e.EventId, e.Event, e.NoticeId ?? "", "duplicate");
            return "duplicate";
        }

        metrics.Receipt(Channel.Email, e.MetricName, e.Status);
        if (optedOut)
        {
            metrics.OptOut(Channel.Email, "provider");
        }

        LogEvent(logger, e.EventId, e.Event, noticeId ?? "(no notice)", effect.ToString());
        return "accepted";
    }

    /// <summary>What the event does besides its receipt; true when it opted a customer out of email.</summary>
    private static async Task<bool> ApplyEffectAsync(NotifierSession session, SendGridEvent e, EmailEventEffect effect, NoticeRecord? notice, DateTimeOffset now)
    {
        // Only a sent notice moves: the first final receipt wins, a later one finds nothing to change.
        // One still Sending gets it when the dispatcher records the send (EmailReceipts.ApplyEarlyAsync).
        if (notice is { Status: NoticeStatus.Sent } sent && EmailReceipts.Move(sent, effect, e.Event, e.Status, e.Detail) is { } move)
        {
            await session.Notices.ApplyAsync(move);
        }

        var address = (e.Email ?? notice?.Recipient) is { Length: > 0 and <= 320 } known ? known : null;
        if (effect == EmailEventEffect.Bounced && address is not null)
        {
            await session.EmailSuppressions.AddAsync(
                new EmailSuppression(EmailSuppression.KeyOf(address), $"{e.Event}: {e.Detail ?? "no reason given"}", $"{Provider} {e.Event}", notice?.NoticeId, now));
        }

        if (!e.OptsOut)
        {
            return false;
        }

        // A mail we cannot map to a notice still names the address: every customer we email there.
        List<string> customers = notice?.CustomerId is { } customerId ? [customerId]
            : address is not null ? await session.Notices.EmailCustomersAsync(address)
            : [];
        var optedOut = false;
        foreach (var customer in customers)
        {
            optedOut |= await PreferenceChanges.RecordOptOutAsync(session, customer, Channel.Email, new OptOut(now, $"{Provider} {e.Event}"));
        }

        return optedOut;
    }

    /// <summary>The email notice the event is about, locked: by its notice_id custom arg, else by SendGrid's message id.</summary>
    private static async Task<NoticeRecord?> FindNoticeAsync(NotifierSession session, SendGridEvent e)
    {
        var notice = e.NoticeId is { } noticeId ? await session.Notices.FindAsync(noticeId) : null;
        if (notice is null && e.MessageId is { } messageId)
        {
            notice = await session.Notices.FindByProviderMessageAsync(messageId);
        }

        return notice?.Channel == Channel.Email ? notice : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SendGrid event {EventId} ({Event}) for notice {NoticeId}: {Outcome}")]
    private static partial void LogEvent(ILogger logger, string eventId, string @event, string noticeId, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "SendGrid events: {Count} in the batch, {Accepted} applied, {Duplicates} seen before, {Ignored} ignored, {Skipped} skipped")]
    private static partial void LogBatch(ILogger logger, int count, int accepted, int duplicates, int ignored, int skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SendGrid events: skipped {Skipped} elements that are not events: {Problems}")]
    private static partial void LogSkipped(ILogger logger, int skipped, string problems);
}
