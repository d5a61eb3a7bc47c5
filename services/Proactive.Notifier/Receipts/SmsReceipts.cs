using System.Globalization;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Receipts;

/// <summary>
/// What a Twilio status callback does to the SMS notice it reports on, in the caller's unit of
/// work. Only a notice still Sent moves (the first final word wins; a late or repeated one, or an
/// intermediate status such as queued/sent, is a receipt only): delivered → Delivered;
/// undelivered/failed → Undelivered, and when the code says the number will not get SMS (one of
/// Proactive:Webhooks:Twilio:FallbackCodes, or 21610: the customer replied STOP) the same news by
/// email, as the synchronous fallback does; 21610 also opts the customer out of SMS.
/// </summary>
public static class SmsReceipts
{
    public const string Provider = "twilio";

    /// <summary>The recipient replied STOP to this sender.</summary>
    public const int Unsubscribed = 21610;

    /// <summary>One status callback event: Twilio calls once per status (and per error code), and may repeat it.</summary>
    public static string EventKey(string messageSid, string status, int? errorCode) =>
        errorCode is { } code ? $"{messageSid}:{status}:{code.ToString(CultureInfo.InvariantCulture)}" : $"{messageSid}:{status}";

    /// <summary>
    /// Applies <paramref name="receipt"/> to <paramref name="notice"/> (the SMS the receipt's message
    /// is); what changed. Nothing when the notice is no longer Sent or was sent as another message.
    /// </summary>
    public static async Task<ReceiptEffect> ApplyAsync(
        NotifierSession session, NoticeRecord notice, DeliveryReceipt receipt, DateTimeOffset now, NoticePolicyOptions policy, IReadOnlyCollection<int> fallbackCodes, TemplateCatalog? templates = null)
    {
        if (notice.Status != NoticeStatus.Sent || notice.Channel != Channel.Sms || notice.ProviderMessageId != receipt.ProviderMessageId)
        {
            return new ReceiptEffect(notice);
        }

        switch (receipt.Status)
        {
            case "delivered":
                var confirmed = NoticeLifecycle.ConfirmDelivery(notice);
                return await session.Notices.ApplyAsync(confirmed) ? new ReceiptEffect(confirmed.After, Moved: true) : new ReceiptEffect(notice);
            case "undelivered" or "failed":
                return await FailAsync(session, notice, receipt, now, policy, fallbackCodes, templates);
            default:
                return new ReceiptEffect(notice);
        }
    }

    /// <summary>
    /// At the dispatcher's Accept, in its unit of work: receipts that came for the message before
    /// the send was recorded (Twilio can call back before its 201 is handled) are linked to the
    /// now Sent notice and applied in the order they came.
    /// </summary>
    public static async Task<ReceiptEffect> ApplyEarlyAsync(
        NotifierSession session, NoticeRecord sent, DateTimeOffset now, NoticePolicyOptions policy, IReadOnlyCollection<int> fallbackCodes, TemplateCatalog? templates = null)
    {
        var effect = new ReceiptEffect(sent);
        if (sent.Channel != Channel.Sms || sent.ProviderMessageId is not { Length: > 0 } sid)
        {
            return effect;
        }

        var early = (await session.Receipts.UnlinkedForMessageAsync(sid)).Where(r => r.Provider == Provider).ToList();
        if (early.Count == 0)
        {
            return effect;
        }

        await session.Receipts.LinkAsync(sid, sent.NoticeId);
        foreach (var receipt in early)
        {
            var next = await ApplyAsync(session, effect.Notice, receipt, now, policy, fallbackCodes, templates);
            effect = next with
            {
                Moved = effect.Moved || next.Moved,
                FellBack = effect.FellBack || next.FellBack,
                NewOptOut = effect.NewOptOut || next.NewOptOut,
            };
        }

        return effect;
    }

    private static async Task<ReceiptEffect> FailAsync(
        NotifierSession session, NoticeRecord notice, DeliveryReceipt receipt, DateTimeOffset now, NoticePolicyOptions policy, IReadOnlyCollection<int> fallbackCodes, TemplateCatalog? templates = null)
    {
        var code = int.TryParse(receipt.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : (int?)null;
        var why = $"twilio reports {receipt.Status}{(receipt.Code is { } shown ? $" {shown}" : "")}";
        var fallsBack = code is { } failure && (failure == Unsubscribed || fallbackCodes.Contains(failure));

        // Locks: the notice's row (locked by the status callback, or written by the dispatcher's Accept),
        // then the order, then the customer. The dispatcher's refusal takes the order, the customer, then
        // its notice's row: never the same row as here, since a refused SMS has no message to report on.
        if (fallsBack)
        {
            await session.LockOrderAsync(notice.OrderId);
        }

        var newOptOut = false;
        if (code == Unsubscribed && notice.CustomerId is { } customerId)
        {
            newOptOut = await PreferenceChanges.RecordOptOutAsync(session, customerId, Channel.Sms, new OptOut(now, $"{Provider} {Unsubscribed}"));
            why += "; the customer is now opted out of sms";
        }

        NoticeChange? fallback = null;
        if (fallsBack)
        {
            (fallback, var note) = await EmailFallback.PlanAsync(session, notice, $"the SMS was not delivered ({receipt.Status} {receipt.Code})", now, policy, templates);
            why += note;
        }

        var failed = NoticeLifecycle.FailDelivery(notice, receipt.Code, why);
        if (!await session.Notices.ApplyAsync(failed))
        {
            return new ReceiptEffect(notice, NewOptOut: newOptOut);
        }

        if (fallback is not null)
        {
            await session.Notices.ApplyAsync(fallback);
        }

        return new ReceiptEffect(failed.After, Moved: true, FellBack: fallback is not null, NewOptOut: newOptOut);
    }
}

/// <summary>The notice after a receipt, and what the receipt did: moved it, fell back to email, opted the customer out.</summary>
public sealed record ReceiptEffect(NoticeRecord Notice, bool Moved = false, bool FellBack = false, bool NewOptOut = false);
