using Microsoft.Extensions.Options;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Preferences;

/// <summary>
/// Changes to a customer's preferences, each in one unit of work under the customer's lock. An
/// opt-out also withdraws what is still waiting for them on that channel (a waiting SMS falls back
/// to email, as at send time).
/// </summary>
public sealed class PreferenceChanges(NoticeStore store, NotifierMetrics metrics, TimeProvider time, IOptions<NoticePolicyOptions> options, TemplateCatalog templates)
{
    public Task<CustomerPreferences> GetAsync(string customerId, CancellationToken ct) => store.PreferencesAsync(customerId, ct);

    /// <summary>Applies <paramref name="change"/> to the customer's preferences, stamped now.</summary>
    public Task<CustomerPreferences> ChangeAsync(string customerId, Func<CustomerPreferences, CustomerPreferences> change, CancellationToken ct) =>
        store.InTransactionAsync(session => ChangeAsync(session, customerId, change), ct);

    public Task<CustomerPreferences> OptInAsync(string customerId, Channel channel, CancellationToken ct) =>
        ChangeAsync(customerId, p => p.WithOptOut(channel, null), ct);

    /// <summary>Opts the customer out of <paramref name="channel"/> now, through the API.</summary>
    public async Task<CustomerPreferences> OptOutAsync(string customerId, Channel channel, CancellationToken ct)
    {
        var (saved, optedOut, withdrawn) = await store.InTransactionAsync(session => OptOutAsync(session, customerId, channel, "api"), ct);
        Count(channel, "api", optedOut, withdrawn);
        return saved;
    }

    /// <summary>
    /// Opts the customer out of <paramref name="channel"/> in the caller's unit of work, on their
    /// own word (<paramref name="source"/>: "api", "twilio STOP"...), and withdraws what still waits
    /// for them on it (a waiting SMS falls back to email). Returns the preferences as saved, whether
    /// this opted them out (false: they already were), and the notices withdrawn; the caller counts
    /// them with <see cref="Count"/> once committed.
    /// </summary>
    public async Task<(CustomerPreferences Saved, bool OptedOut, List<NoticeRecord> Withdrawn)> OptOutAsync(
        NotifierSession session, string customerId, Channel channel, string source)
    {
        var optedOut = false;
        var saved = await ChangeAsync(
            session,
            customerId,
            p =>
            {
                optedOut = p.OptOutOf(channel) is null;
                return optedOut ? p.WithOptOut(channel, new OptOut(time.GetUtcNow(), source)) : p;
            });
        var why = $"withdrawn: {NoticePolicy.OptedOutReason(channel, saved.OptOutOf(channel)!)}";
        var withdrawn = new List<NoticeRecord>();
        foreach (var waiting in await session.Notices.WaitingForCustomerAsync(customerId, channel))
        {
            if (await EmailFallback.WithdrawAsync(session, NoticeLifecycle.Withdraw(waiting, why), time.GetUtcNow(), options.Value, templates) is { } withdrawal)
            {
                withdrawn.Add(withdrawal.After);
            }
        }

        return (saved, optedOut, withdrawn);
    }

    /// <summary>Opts the customer back in to <paramref name="channel"/> in the caller's unit of work; false when they were not opted out.</summary>
    public async Task<bool> OptInAsync(NotifierSession session, string customerId, Channel channel)
    {
        await session.LockCustomerAsync(customerId);
        if ((await session.Preferences.ForCustomerAsync(customerId)).OptOutOf(channel) is null)
        {
            return false;
        }

        await ChangeAsync(session, customerId, p => p.WithOptOut(channel, null));
        return true;
    }

    /// <summary>Counts what an opt-out did, once its unit of work committed (<paramref name="source"/> is the metric's: api, provider).</summary>
    public void Count(Channel channel, string source, bool optedOut, IEnumerable<NoticeRecord> withdrawn)
    {
        if (optedOut)
        {
            metrics.OptOut(channel, source);
        }

        foreach (var notice in withdrawn)
        {
            metrics.Notice(notice.Channel, notice.Reason, NoticeLifecycle.Name(notice.Status));
        }
    }

    /// <summary>
    /// Records an opt-out a provider reported (a STOP reply), in the caller's unit of work; false
    /// when the customer was already opted out of the channel.
    /// </summary>
    public static async Task<bool> RecordOptOutAsync(NotifierSession session, string customerId, Channel channel, OptOut optOut)
    {
        await session.LockCustomerAsync(customerId);
        var preferences = await session.Preferences.ForCustomerAsync(customerId);
        if (preferences.OptOutOf(channel) is not null)
        {
            return false;
        }

        await session.Preferences.SaveAsync(preferences.WithOptOut(channel, optOut) with { UpdatedAt = optOut.At });
        return true;
    }

    private async Task<CustomerPreferences> ChangeAsync(NotifierSession session, string customerId, Func<CustomerPreferences, CustomerPreferences> change)
    {
        await session.LockCustomerAsync(customerId);
        var updated = change(await session.Preferences.ForCustomerAsync(customerId)) with { UpdatedAt = time.GetUtcNow() };
        await session.Preferences.SaveAsync(updated);
        return updated;
    }
}
