using System.Data.Common;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Dispatch;

/// <summary>
/// An SMS that will not reach the customer (the number cannot get it, or they stopped SMS): the
/// same news goes by email instead, if they have an address, have not opted out of email, and that
/// news has no email yet. Runs inside the caller's transaction.
/// </summary>
public static class EmailFallback
{
    /// <returns>A note for the SMS notice's "why": what became of the fallback.</returns>
    public static async Task<string> TryAsync(DbConnection c, DbTransaction tx, NoticeRecord sms, string cause, DateTimeOffset now, NoticePolicyOptions options)
    {
        if (sms.Channel != Channel.Sms || sms.News is not { } news || sms.CustomerId is not { } customerId)
        {
            return "";
        }

        var preferences = await NoticeStore.PreferencesAsync(c, tx, customerId);
        var told = news with { Customer = preferences.ApplyTo(news.Customer) };
        if (told.Customer.Email is not { } email)
        {
            return "; no email address to fall back to";
        }

        if (preferences.EmailOptOut is { } optOut)
        {
            return $"; no email fallback: {NoticePolicy.OptedOutReason(Channel.Email, optOut)}";
        }

        var emailId = NoticeRecord.IdFor(sms.EpisodeId, sms.Sequence, Channel.Email);
        var existing = (await NoticeStore.ForOrderAsync(c, tx, sms.OrderId)).FirstOrDefault(n => n.NoticeId == emailId);
        if (existing is not null)
        {
            return $"; no email fallback: this news already has its email ({emailId}, {existing.Status.ToString().ToLowerInvariant()})";
        }

        var message = NoticeRenderer.Render(Channel.Email, sms.Kind, told, options);
        var (traceParent, traceState) = ProactiveTelemetry.CurrentContext();
        await NoticeStore.AddAsync(c, tx, new NoticeRecord(
            emailId,
            sms.OrderId,
            sms.EpisodeId,
            sms.Sequence,
            Channel.Email,
            sms.Kind,
            sms.Reason,
            NoticeStatus.Pending,
            $"fallback for {sms.NoticeId}: {cause}",
            now,
            now,
            null,
            0,
            null,
            null,
            email,
            told.Customer.Locale,
            message.Subject,
            message.Text,
            message.Html,
            sms.EstimatedDeliveryAt,
            sms.ActionRequired,
            customerId,
            news,
            null,
            sms.NoticeId,
            traceParent,
            traceState,
            message.Notes,
            sms.PredictedProbability));
        return $"; fell back to email ({emailId})";
    }
}
