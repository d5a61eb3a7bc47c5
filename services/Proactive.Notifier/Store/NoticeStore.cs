using System.Runtime.CompilerServices;
using Proactive.Notifier.Preferences;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>
/// Notifier's store. Work that must commit together runs in <see cref="InTransactionAsync{T}"/>
/// with a <see cref="NotifierSession"/> over the tables (inbox, notices and attempts, preferences,
/// queue), and reads in <see cref="ReadAsync{T}"/> with a <see cref="NotifierReads"/> that cannot write; the one-step operations below each run in a unit of work of their own. Traced as
/// "db {operation}". Its writes are <see cref="WritePriority.Urgent"/>: they are few and small and a
/// customer's notice (or a person) waits for them, so where Notifier shares SQLite's one writer with
/// Tracker (the standalone host) they go before Tracker's intake commits waiting; its sweeps
/// (<see cref="InSweepTransactionAsync{T}"/>) do not.
/// </summary>
public sealed class NoticeStore(Database database)
{
    /// <summary>The dispatcher's queue in the failures table (keyed by notice id).</summary>
    public const string DispatchQueue = "notifier.dispatch";

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, answering once it committed. On SQLite the units
    /// that queue while a commit is under way (the dispatcher's outcomes and claims, the relay's
    /// decisions, Tracker's intake in the standalone host) share the next transaction, each in a
    /// savepoint of its own (see <see cref="Database.WriteAsync{T}(Func{System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task{T}}, CancellationToken, string)"/>).
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<NotifierSession, Task<T>> work, CancellationToken ct, [CallerMemberName] string operation = "") =>
        database.WriteUrgentAsync((c, tx) => work(new NotifierSession(c, tx, database.Dialect)), ct, operation);

    /// <summary>
    /// <see cref="InTransactionAsync{T}"/> for a sweep (pruning, incident detection): nobody waits for
    /// it, so it keeps its turn behind the writes others wait for (<see cref="WritePriority.Normal"/>).
    /// </summary>
    public Task<T> InSweepTransactionAsync<T>(Func<NotifierSession, Task<T>> work, CancellationToken ct, [CallerMemberName] string operation = "") =>
        database.WriteAsync((c, tx) => work(new NotifierSession(c, tx, database.Dialect)), ct, operation);

    /// <summary>Reads outside a unit of work: a view that cannot write.</summary>
    public Task<T> ReadAsync<T>(Func<NotifierReads, Task<T>> work, CancellationToken ct, [CallerMemberName] string operation = "") =>
        database.ReadAsync(c => work(new NotifierReads(c, database.Dialect)), ct, operation);

    /// <inheritdoc cref="NoticeRows.ClaimDueAsync"/>
    public Task<List<NoticeRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, IReadOnlyDictionary<Channel, int> limits, CancellationToken ct) =>
        InTransactionAsync(s => s.Notices.ClaimDueAsync(now, lease, limits), ct);

    /// <inheritdoc cref="NoticeRows.ApplyAsync"/>
    public Task<bool> ApplyAsync(NoticeChange change, CancellationToken ct, [CallerMemberName] string operation = "") =>
        InTransactionAsync(s => s.Notices.ApplyAsync(change), ct, operation);

    public Task<CustomerPreferences> PreferencesAsync(string customerId, CancellationToken ct) =>
        ReadAsync(r => r.PreferencesAsync(customerId), ct);

    /// <inheritdoc cref="InboxRows.PruneAsync"/>
    public Task<int> PruneInboxAsync(DateTimeOffset cutoff, CancellationToken ct) => InSweepTransactionAsync(s => s.Inbox.PruneAsync(cutoff), ct);

    /// <inheritdoc cref="NoticeQueueRows.StatsAsync"/>
    public Task<(long Due, TimeSpan? OldestAge)> QueueStatsAsync(DateTimeOffset now, CancellationToken ct) => ReadAsync(r => r.QueueStatsAsync(now, ct), ct);

    /// <inheritdoc cref="NoticeQueueRows.NextDueAsync"/>
    public Task<DateTimeOffset?> NextDueAsync(Channel channel, CancellationToken ct) => ReadAsync(r => r.NextDueAsync(channel, ct), ct);
}
