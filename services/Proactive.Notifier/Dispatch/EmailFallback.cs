using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Dispatch;

/// <summary>
/// An SMS that will not reach the customer (the number cannot get it, or they stopped SMS): the
/// same news goes by email instead, if they have an address that did not hard-bounce, have not opted
/// out of email, and that news has no email yet. Runs in the caller's unit of work.
/// </summary>
public static class EmailFallback
{
    /// <summary>The cause an opt-out gives the fallback email.</summary>
    public const string StoppedSms = "the customer stopped SMS before it was sent";

    /// <summary>
    /// The fallback for <paramref name="sms"/>: the email notice to create (none when it is not to
    /// be), and a note for the SMS notice's "why" saying what became of it.
    /// </summary>
    public static async Task<(NoticeChange? Email, string Note)> PlanAsync(
        NotifierSession session, NoticeRecord sms, string cause, DateTimeOffset now, NoticePolicyOptions options, TemplateCatalog? templates = null)
    {
        if (sms.Channel != Channel.Sms || sms.News is null || sms.CustomerId is not { } customerId)
        {
            return (null, "");
        }

        // A survey is asked once, on one channel: never after a STOP, a failure or an undelivered SMS by email.
        if (sms.Kind == NoticeKind.Survey)
        {
            return (null, "; no email fallback for a survey");
        }

        var preferences = await session.Preferences.ForCustomerAsync(customerId);
        var existing = await session.Notices.ForOrderAsync(sms.OrderId);
        var suppression = preferences.ApplyTo(sms.News).Customer.Email is { } address ? await session.EmailSuppressions.FindAsync(address) : null;
        return Plan(sms, preferences, existing, cause, now, options, ProactiveTelemetry.CurrentContext(), suppression, templates);
    }

    /// <summary>
    /// The customer stopped the notice's channel before it was sent: the lifecycle's
    /// <paramref name="withdrawal"/> is stored, its "why" saying what became of the fallback, and
    /// an SMS falls back to email. Returns the withdrawal as stored, or null when the notice was no
    /// longer as read (nothing changed).
    /// </summary>
    public static async Task<NoticeChange?> WithdrawAsync(NotifierSession session, NoticeChange withdrawal, DateTimeOffset now, NoticePolicyOptions options, TemplateCatalog? templates = null)
    {
        var notice = withdrawal.After;
        var (email, note) = await PlanAsync(session, notice, StoppedSms, now, options, templates);
        var noted = withdrawal with { After = notice with { Why = notice.Why + note } };
        if (!await session.Notices.ApplyAsync(noted))
        {
            return null;
        }

        if (email is not null)
        {
            await session.Notices.ApplyAsync(email);
        }

        return noted;
    }

    internal static (NoticeChange? Email, string Note) Plan(
        NoticeRecord sms,
        CustomerPreferences preferences,
        IReadOnlyList<NoticeRecord> existing,
        string cause,
        DateTimeOffset now,
        NoticePolicyOptions options,
        (string? Parent, string? State) trace,
        EmailSuppression? suppression = null,
        TemplateCatalog? templates = null)
    {
        var told = preferences.ApplyTo(sms.News!);
        if (told.Customer.Email is not { } email)
        {
            return (null, "; no email address to fall back to");
        }

        if (suppression is not null && suppression.Address == EmailSuppression.KeyOf(email))
        {
            return (null, $"; no email fallback: {suppression.Why}");
        }

        if (preferences.EmailOptOut is { } optOut)
        {
            return (null, $"; no email fallback: {NoticePolicy.OptedOutReason(Channel.Email, optOut)}");
        }

        var emailId = NoticeRecord.IdFor(sms.EpisodeId, sms.Sequence, Channel.Email);
        if (existing.FirstOrDefault(n => n.NoticeId == emailId) is { } already)
        {
            return (null, $"; no email fallback: this news already has its email ({emailId}, {NoticeLifecycle.Name(already.Status)})");
        }

        var message = NoticeRenderer.Render(Channel.Email, sms.Kind, told, options, templates ?? TemplateCatalog.Shipped);
        var fallback = NoticeRecord.FallbackEmail(sms, email, told.Customer.Locale, message, cause, now, trace);
        return (NoticeLifecycle.FallBack(fallback), $"; fell back to email ({emailId})");
    }
}
