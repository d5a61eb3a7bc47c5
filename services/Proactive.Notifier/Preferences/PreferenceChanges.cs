using Microsoft.Extensions.Options;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Preferences;

/// <summary>
/// Changes to a customer's preferences, each in one unit of work under the customer's lock. An
/// opt-out also withdraws what is still waiting for them on that channel (a waiting SMS falls back
/// to email, as at send time).
/// </summary>
public sealed class PreferenceChanges(NoticeStore store, NotifierMetrics metrics, TimeProvider time, IOptions<NoticePolicyOptions> options)
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
        var optedOut = false;
        var (saved, withdrawn) = await store.InTransactionAsync(
            async session =>
            {
                var saved = await ChangeAsync(
                    session,
                    customerId,
                    p =>
                    {
                        optedOut = p.OptOutOf(channel) is null;
                        return optedOut ? p.WithOptOut(channel, new OptOut(time.GetUtcNow(), "api")) : p;
                    });
                var why = $"withdrawn: {NoticePolicy.OptedOutReason(channel, saved.OptOutOf(channel)!)}";
                var withdrawn = new List<NoticeRecord>();
                foreach (var waiting in await session.Notices.WaitingForCustomerAsync(customerId, channel))
                {
                    if (await EmailFallback.WithdrawAsync(session, NoticeLifecycle.Withdraw(waiting, why), time.GetUtcNow(), options.Value) is { } withdrawal)
                    {
                        withdrawn.Add(withdrawal.After);
                    }
                }

                return (saved, withdrawn);
            },
            ct);
        if (optedOut)
        {
            metrics.OptOut(channel, "api");
        }

        withdrawn.ForEach(notice => metrics.Notice(channel, notice.Reason, NoticeLifecycle.Name(notice.Status)));
        return saved;
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
