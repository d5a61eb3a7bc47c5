using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// SQLite's one writer, shared by every unit of work of the process: units that queue while a
/// transaction is under way go together into the next one — one commit, one sync of the log, for
/// Tracker's intake, Notifier's decisions and claims and the relay's bookkeeping alike (each a commit
/// of its own before; at 1,000 events/s the syncs were most of the time the writer was held).
/// Whoever holds the <see cref="WriteGate"/> runs what is queued, urgent units first, each in a
/// savepoint: a unit that throws is undone alone and its caller gets its exception, the others
/// commit. A unit answers once the commit holding it returned; when the commit fails, every unit in
/// it gets that failure (nothing of it was stored, like any failed commit). A unit runs in its
/// caller's execution context (its trace, its logging scope). A caller cancelled before its unit was
/// taken leaves nothing behind; once taken, the unit runs and the caller hears how it ended.
/// Every transaction runs on the same connection, kept open: SQLite empties a connection's page
/// cache when another connection wrote since it last read, so a writer taken from the pool (last
/// used by a reader, after other commits) read the tables' and indexes' upper pages from the file
/// again at every commit. A failure of the store itself drops and closes the connection; the next
/// transaction opens another. Disposed, it closes the connection and takes no more work. A
/// transaction that held the writer <see cref="Database.SlowSqliteTransaction"/> or longer (committed, rolled
/// back or failed) is logged as a warning with its commit's share and its units' operations, once its units
/// were answered: every write of the process waited for it, and a long commit is mostly the disk's sync
/// stalling (notices late by as much, whatever their own work).
/// </summary>
/// <param name="committed">Called after each commit, the gate released (the checkpointer's cue).</param>
internal sealed partial class SqliteGroupCommit(
    Func<CancellationToken, Task<DbConnection>> openWriter, WriteGate gate, Action committed, TimeProvider time, ILogger? logger) : IAsyncDisposable
{
    private readonly ConcurrentQueue<Unit> urgent = new();
    private readonly ConcurrentQueue<Unit> normal = new();

    // The writer's connection, used only with the gate held; none once disposed.
    private DbConnection? writer;
    private bool disposed;

    /// <summary>Runs <paramref name="work"/> in the next transaction; its result once that committed.</summary>
    public async Task<T> RunAsync<T>(WritePriority priority, Func<DbConnection, DbTransaction, Task<T>> work, string operation, CancellationToken cancellationToken)
    {
        var unit = new Unit(async (c, tx) => await work(c, tx), operation, ExecutionContext.Capture(), cancellationToken);
        (priority == WritePriority.Urgent ? urgent : normal).Enqueue(unit);

        // Wait for the gate, or for a transaction another caller leads to answer the unit: then the
        // caller need not queue for the gate at all (behind urgent leaders and their commits).
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var enter = gate.EnterAsync(priority, waiting.Token);
        await Task.WhenAny(unit.Answer.Task, enter);
        if (!enter.IsCompleted)
        {
            await waiting.CancelAsync();
        }

        try
        {
            await enter;
        }
        catch (OperationCanceledException) when (unit.Answer.Task.IsCompleted || !unit.TryCancel())
        {
            // Answered, or taken by the transaction under way before the cancellation: that one answers.
            return (T)(await unit.Answer.Task)!;
        }

        // The gate is held. A caller cancelled meanwhile leads nobody: the next waiter does.
        var cancelled = false;
        var didCommit = false;
        try
        {
            if (!unit.Answer.Task.IsCompleted)
            {
                cancelled = cancellationToken.IsCancellationRequested && unit.TryCancel();
                didCommit = !cancelled && await CommitQueuedAsync();
            }
        }
        finally
        {
            gate.Exit();
        }

        if (didCommit)
        {
            committed();
        }

        if (cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        return (T)(await unit.Answer.Task)!;
    }

    /// <summary>Commits every unit queued (the gate held); false when nothing was committed.</summary>
    private async Task<bool> CommitQueuedAsync()
    {
        var units = new List<Unit>();
        foreach (var queue in new[] { urgent, normal })
        {
            while (queue.TryDequeue(out var next))
            {
                if (next.TryTake())
                {
                    units.Add(next);
                }
            }
        }

        if (units.Count == 0)
        {
            return false;
        }

        var results = new object?[units.Count];
        var failures = new Exception?[units.Count];
        var started = time.GetTimestamp();
        TimeSpan? commit = null;
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var connection = writer ??= await openWriter(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync();
            for (var i = 0; i < units.Count; i++)
            {
                // Alone, a unit's failure rolls the whole transaction back: no savepoint needed.
                if (units.Count == 1)
                {
                    results[i] = await units[i].RunAsync(connection, transaction);
                }
                else
                {
                    (results[i], failures[i]) = await RunInSavepointAsync(units[i], $"unit{i}", connection, transaction);
                }
            }

            if (failures.All(f => f is not null))
            {
                // Nothing to commit: each unit answers with its own failure.
                await transaction.RollbackAsync();
                Answer(units, results, failures);
                WarnIfSlow(started, commit, "rolled back", units);
                return false;
            }

            var committing = time.GetTimestamp();
            try
            {
                await transaction.CommitAsync();
            }
            finally
            {
                commit = time.GetElapsedTime(committing);
            }
        }
        catch (Exception e)
        {
            // The transaction as a whole failed (a lone unit's own failure among them): nothing of it is
            // stored. A failure of the store itself (I/O, full, read-only, locked) drops the connection
            // too, whatever state it left; a unit's own failure (a constraint, its code) keeps it.
            if (Database.IsUnavailableWithin(e) || writer?.State != ConnectionState.Open)
            {
                await DropWriterAsync();
            }

            for (var i = 0; i < units.Count; i++)
            {
                units[i].Answer.TrySetException(failures[i] ?? e);
            }

            WarnIfSlow(started, commit, "failed", units);
            return false;
        }

        Answer(units, results, failures);
        WarnIfSlow(started, commit, "committed", units);
        return true;
    }

    /// <summary>Logs a transaction that held the writer long, once its units were answered.</summary>
    private void WarnIfSlow(long started, TimeSpan? commit, string outcome, List<Unit> units)
    {
        if (logger is not null && time.GetElapsedTime(started) is var held && held >= Database.SlowSqliteTransaction)
        {
            LogSlowTransaction(logger, held.TotalMilliseconds, outcome, (commit ?? TimeSpan.Zero).TotalMilliseconds, Operations(units));
        }
    }

    /// <summary>Closes the writer's connection once no transaction runs on it.</summary>
    public async ValueTask DisposeAsync()
    {
        await gate.EnterAsync(WritePriority.Urgent);
        try
        {
            disposed = true;
            await DropWriterAsync();
        }
        finally
        {
            gate.Exit();
        }
    }

    private async Task DropWriterAsync()
    {
        if (writer is { } connection)
        {
            writer = null;
            // Closed, not handed back to the pool (where a reader would get it, or a later store the file it had open).
            if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(sqlite);
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>Runs a unit in a savepoint of its own: its result, or its failure with its work undone.</summary>
    private static async Task<(object? Result, Exception? Failure)> RunInSavepointAsync(Unit unit, string savepoint, DbConnection connection, DbTransaction transaction)
    {
        await transaction.SaveAsync(savepoint);
        try
        {
            var result = await unit.RunAsync(connection, transaction);
            await transaction.ReleaseAsync(savepoint);
            return (result, null);
        }
        catch (Exception e)
        {
            try
            {
                await transaction.RollbackAsync(savepoint);
                await transaction.ReleaseAsync(savepoint);
            }
            catch
            {
                // SQLite rolled the whole transaction back itself (disk full, I/O error, out of
                // memory): every unit in it hears that cause, not "no such savepoint".
                ExceptionDispatchInfo.Throw(e);
            }

            return (null, e);
        }
    }

    private static void Answer(List<Unit> units, object?[] results, Exception?[] failures)
    {
        for (var i = 0; i < units.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                units[i].Answer.TrySetException(failure);
            }
            else
            {
                units[i].Answer.TrySetResult(results[i]);
            }
        }
    }

    /// <summary>What a transaction held, by operation: "HandleBatch ×3, ClaimAsync".</summary>
    private static string Operations(List<Unit> units) => string.Join(
        ", ",
        units.GroupBy(u => u.Operation).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}"));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A SQLite transaction held the writer {HeldMs:F0} ms ({Outcome}; its commit, the log written and synced, {CommitMs:F0} ms of it), every write waiting: {Operations}")]
    private static partial void LogSlowTransaction(ILogger logger, double heldMs, string outcome, double commitMs, string operations);

    private sealed class Unit(Func<DbConnection, DbTransaction, Task<object?>> work, string operation, ExecutionContext? context, CancellationToken cancellationToken)
    {
        private const int Queued = 0, Taken = 1, Cancelled = 2;
        private int state;

        public TaskCompletionSource<object?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The caller's name for its work (the "db {operation}" span's), for the slow-transaction warning.</summary>
        public string Operation => operation;

        /// <summary>The caller gave up before a transaction took the unit: it is skipped.</summary>
        public bool TryCancel() => Interlocked.CompareExchange(ref state, Cancelled, Queued) == Queued;

        /// <summary>A transaction takes the unit unless its caller was cancelled first.</summary>
        public bool TryTake()
        {
            if (cancellationToken.IsCancellationRequested && TryCancel())
            {
                Answer.TrySetCanceled(cancellationToken);
                return false;
            }

            return Interlocked.CompareExchange(ref state, Taken, Queued) == Queued;
        }

        /// <summary>Runs the work in its caller's execution context (the await continues in it, too).</summary>
        public Task<object?> RunAsync(DbConnection connection, DbTransaction transaction)
        {
            if (context is null)
            {
                return work(connection, transaction);
            }

            Task<object?> running = null!;
            ExecutionContext.Run(context, _ => running = work(connection, transaction), null);
            return running;
        }
    }
}
