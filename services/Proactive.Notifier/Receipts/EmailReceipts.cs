using Proactive.Notifier.Store;

namespace Proactive.Notifier.Receipts;

/// <summary>
/// What SendGrid's events do to the email notice they are about: delivered → Delivered; a hard
/// bounce or a drop → Undelivered. Only a notice still Sent moves (the first final word wins).
/// </summary>
public static class EmailReceipts
{
    /// <summary>The move an event makes of a Sent email notice, or null when it makes none.</summary>
    public static NoticeChange? Move(NoticeRecord sent, EmailEventEffect effect, string @event, string? code, string? detail) => effect switch
    {
        EmailEventEffect.Delivered => NoticeLifecycle.ConfirmDelivery(sent),
        EmailEventEffect.Undelivered or EmailEventEffect.Bounced => NoticeLifecycle.FailDelivery(sent, code, $"{SendGridEvents.Provider} {@event}: {detail ?? "no reason given"}"),
        _ => null,
    };

    /// <summary>The effect a stored SendGrid receipt had on its notice (its status is the event's name; a soft bounce is stored by its type).</summary>
    public static EmailEventEffect EffectOf(DeliveryReceipt receipt) => receipt.Status switch
    {
        "delivered" => EmailEventEffect.Delivered,
        "bounce" => EmailEventEffect.Bounced,
        "dropped" => EmailEventEffect.Undelivered,
        _ => EmailEventEffect.Recorded,
    };

    /// <summary>
    /// At the dispatcher's Accept, in its unit of work: SendGrid's events that came while the mail
    /// was still Sending (SendGrid can report before its 202 is handled) were stored linked to the
    /// notice without moving it; they are applied now, in the order they came. Their other effects
    /// (suppression, opt-out) were applied when they came.
    /// </summary>
    public static async Task<ReceiptEffect> ApplyEarlyAsync(NotifierSession session, NoticeRecord sent)
    {
        var effect = new ReceiptEffect(sent);
        if (sent.Channel != Channel.Email)
        {
            return effect;
        }

        foreach (var receipt in await session.Receipts.ForNoticeAsync(sent.NoticeId))
        {
            if (receipt.Provider == SendGridEvents.Provider && effect.Notice.Status == NoticeStatus.Sent
                && Move(effect.Notice, EffectOf(receipt), receipt.Status, receipt.Code, receipt.Detail) is { } move
                && await session.Notices.ApplyAsync(move))
            {
                effect = new ReceiptEffect(move.After, Moved: true);
            }
        }

        return effect;
    }
}
