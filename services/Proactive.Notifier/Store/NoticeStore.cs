using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Proactive.Notifier.Preferences;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>
/// Notifier's store. Work that must commit together runs in <see cref="InTransactionAsync{T}"/>
/// with a <see cref="NotifierSession"/> over the tables (inbox, notices and attempts, preferences,
/// queue), and reads in <see cref="ReadAsync{T}"/> with a <see cref="NotifierReads"/> that cannot write; the one-step operations below each run in a unit of work of their own. Traced as
/// "db {operation}". Every write is <see cref="WritePriority.Urgent"/>: Notifier's writes are few and
/// small and a customer's notice (or a person) waits for them, so where Notifier shares SQLite's one
/// writer with Tracker (the standalone host) they go before Tracker's intake commits waiting.
/// </summary>
public sealed class NoticeStore(Database database)
{
    /// <summary>The dispatcher's queue in the failures table (keyed by notice id).</summary>
    public const string DispatchQueue = "notifier.dispatch";

    private readonly ConcurrentQueue<SharedUnit> shared = new();
    private readonly SemaphoreSlim committing = new(1, 1);

    /// <summary>
    /// Like <see cref="InTransactionAsync{T}"/>, but on SQLite — one writer at a time anyway — the
    /// units that queue while a commit is under way share the next transaction: one commit for
    /// many (group commit). Each unit answers once the commit holding its work returned. When a
    /// shared transaction fails, each of its units runs again alone, so a failure stays the unit's
    /// own. On PostgreSQL each unit is its own transaction (writers run side by side there, and
    /// units locking several orders in one transaction could deadlock with another replica's).
    /// </summary>
    public async Task<T> InSharedTransactionAsync<T>(Func<NotifierSession, Task<T>> work, CancellationToken ct, [CallerMemberName] string operation = "")
    {
        if (database.Kind != StoreKind.Sqlite)
        {
            return await InTransactionAsync(work, ct, operation);
        }

        var unit = new SharedUnit(async session => await work(session), operation);
        shared.Enqueue(unit);
        await committing.WaitAsync(ct);
        try
        {
            if (!unit.Answer.Task.IsCompleted)
            {
                await CommitSharedAsync(ct);
            }
        }
        finally
        {
            committing.Release();
        }

        return (T)(await unit.Answer.Task)!;
    }

    /// <summary>Everything queued so far in one transaction (or, when that fails, each alone).</summary>
    private async Task CommitSharedAsync(CancellationToken ct)
    {
        var units = new List<SharedUnit>();
        while (shared.TryDequeue(out var queued))
        {
            units.Add(queued);
        }

        if (units.Count == 1)
        {
            await CommitAloneAsync(units[0], ct);
            return;
        }

        object?[] results;
        try
        {
            results = await database.WriteUrgentAsync(
                async (c, tx) =>
                {
                    var session = new NotifierSession(c, tx, database.Dialect);
                    var results = new object?[units.Count];
                    for (var i = 0; i < units.Count; i++)
                    {
                        results[i] = await units[i].Work(session);
                    }

                    return results;
                },
                ct,
                "SharedCommit");
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            foreach (var unit in units)
            {
                await CommitAloneAsync(unit, ct);
            }

            return;
        }
        catch (Exception e)
        {
            units.ForEach(u => u.Answer.TrySetException(e));
            return;
        }

        for (var i = 0; i < units.Count; i++)
        {
            units[i].Answer.TrySetResult(results[i]);
        }
    }

    private async Task CommitAloneAsync(SharedUnit unit, CancellationToken ct)
    {
        try
        {
            unit.Answer.TrySetResult(await InTransactionAsync(unit.Work, ct, unit.Operation));
        }
        catch (Exception e)
        {
            unit.Answer.TrySetException(e);
        }
    }

    public Task<T> InTransactionAsync<T>(Func<NotifierSession, Task<T>> work, CancellationToken ct, [CallerMemberName] string operation = "") =>
        database.WriteUrgentAsync((c, tx) => work(new NotifierSession(c, tx, database.Dialect)), ct, operation);

    /// <summary>Reads outside a unit of work: a view that cannot write.</summary>
    public Task<T> ReadAsync<T>(Func<NotifierReads, Task<T>> work, CancellationToken ct, [CallerMemberName] string operation = "") =>
        database.ReadAsync(c => work(new NotifierReads(c, database.Dialect)), ct, operation);

    /// <inheritdoc cref="NoticeRows.ClaimDueAsync"/>
    /// <remarks>In a shared transaction: on SQLite a claim rides in the commit of the outcomes recorded meanwhile.</remarks>
    public Task<List<NoticeRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, IReadOnlyDictionary<Channel, int> limits, CancellationToken ct) =>
        InSharedTransactionAsync(s => s.Notices.ClaimDueAsync(now, lease, limits), ct);

    /// <inheritdoc cref="NoticeRows.ApplyAsync"/>
    public Task<bool> ApplyAsync(NoticeChange change, CancellationToken ct, [CallerMemberName] string operation = "") =>
        InTransactionAsync(s => s.Notices.ApplyAsync(change), ct, operation);

    public Task<CustomerPreferences> PreferencesAsync(string customerId, CancellationToken ct) =>
        ReadAsync(r => r.PreferencesAsync(customerId), ct);

    /// <inheritdoc cref="InboxRows.PruneAsync"/>
    public Task<int> PruneInboxAsync(DateTimeOffset cutoff, CancellationToken ct) => InTransactionAsync(s => s.Inbox.PruneAsync(cutoff), ct);

    /// <inheritdoc cref="NoticeQueueRows.StatsAsync"/>
    public Task<(long Due, TimeSpan? OldestAge)> QueueStatsAsync(DateTimeOffset now, CancellationToken ct) => ReadAsync(r => r.QueueStatsAsync(now, ct), ct);

    /// <inheritdoc cref="NoticeQueueRows.NextDueAsync"/>
    public Task<DateTimeOffset?> NextDueAsync(Channel channel, CancellationToken ct) => ReadAsync(r => r.NextDueAsync(channel, ct), ct);

    /// <inheritdoc cref="NoticeRows.ApplyAsync"/>
    /// <remarks>In a shared transaction (see <see cref="InSharedTransactionAsync{T}"/>).</remarks>
    public Task<bool> ApplySharedAsync(NoticeChange change, CancellationToken ct, [CallerMemberName] string operation = "") =>
        InSharedTransactionAsync(s => s.Notices.ApplyAsync(change), ct, operation);

    private sealed record SharedUnit(Func<NotifierSession, Task<object?>> Work, string Operation)
    {
        public TaskCompletionSource<object?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
