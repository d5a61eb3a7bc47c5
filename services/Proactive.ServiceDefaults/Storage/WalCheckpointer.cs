using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// SQLite's WAL checkpoints (copying committed pages from the log into the database file), taken
/// off the writer's path. Left to SQLite, the connection that commits past 1,000 log pages copies
/// them itself before its caller hears of the commit — a stall of the one writer every few
/// commits, and pages written again and again copied each time. Here a commit starts a checkpoint
/// on a connection of its own when none runs and the last one started at least
/// <see cref="MinInterval"/> ago (a monotonic interval of the <see cref="TimeProvider"/>): it copies
/// beside the writer; when the log was long (<see cref="RestartPages"/>), it then copies what was
/// committed meanwhile with the write gate held, so that every page of the log is in the file and
/// the next commit starts the log again from its beginning (SQLite restarts it only then). The
/// writers keep SQLite's own checkpoint as a safety net at <see cref="SafetyNetPages"/>, should
/// these fall behind.
/// </summary>
public sealed partial class WalCheckpointer(Func<CancellationToken, Task<DbConnection>> open, WriteGate writeGate, TimeProvider time, ILogger? logger = null)
{
    /// <summary>
    /// Checkpoints start at most this often: pages written many times in between are copied once.
    /// Under bulk intake a commit rewrites hundreds of the same index pages; with this and
    /// <see cref="RestartPages"/> together (was 100 ms and 4,000 pages), SQLite bulk intake read ~26 %
    /// fewer bytes and took 16–22 % more events/s (docs/benchmarks.md, 2026-12-03 06:55).
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A log this long (64 MB with SQLite's default 4 KB pages, which the stores keep) is copied to its
    /// end, writer held, so it restarts. Bulk intake writes ~16 MB of log in a fraction of a second: a
    /// shorter limit held the writer for that second pass several times a second.
    /// </summary>
    public const int RestartPages = 16_000;

    /// <summary>
    /// The writers' own checkpoint (SQLite's wal_autocheckpoint), past which they copy themselves: twice
    /// the restart point, room for the log a busy writer adds while a checkpoint runs.
    /// </summary>
    public const int SafetyNetPages = 2 * RestartPages;

    /// <summary>
    /// The log file is cut back to this size when it restarts (SQLite's journal_size_limit): the restart
    /// point plus about one checkpoint interval of bulk writing, so a busy log is rarely cut and grown again.
    /// </summary>
    public const long LogSizeLimit = 96L * 1024 * 1024;

    private readonly Lock gate = new();
    private long? lastStart;
    private bool stopped;
    private Task running = Task.CompletedTask;

    /// <summary>Checkpoints run so far (tests).</summary>
    public int Completed { get; private set; }

    /// <summary>The last checkpoint's failure, if one failed (tests, diagnostics).</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Of those, the ones that copied the log's last pages with the write gate held (tests).</summary>
    public int Restarts { get; private set; }

    /// <summary>Called after each commit, gate released: starts a checkpoint when one is due.</summary>
    public void Committed()
    {
        lock (gate)
        {
            if (stopped || !running.IsCompleted || (lastStart is { } last && time.GetElapsedTime(last) < MinInterval))
            {
                return;
            }

            lastStart = time.GetTimestamp();
            // Not part of the commit's trace: the checkpoint is the store's own work.
            using (ExecutionContext.SuppressFlow())
            {
                running = Task.Run(RunAsync);
            }
        }
    }

    /// <summary>Starts no more checkpoints and completes when the running one has finished (disposal).</summary>
    public Task StopAsync()
    {
        lock (gate)
        {
            stopped = true;
            return running;
        }
    }

    /// <summary>Completes when no checkpoint runs (tests).</summary>
    public Task IdleAsync()
    {
        lock (gate)
        {
            return running;
        }
    }

    private async Task RunAsync()
    {
        using var activity = ProactiveTelemetry.Start("db checkpoint", ActivityKind.Internal);
        try
        {
            await using var connection = await open(CancellationToken.None);
            var log = await CheckpointAsync(connection);
            activity?.SetTag("proactive.db.wal_pages", log);
            if (log >= RestartPages)
            {
                // What was committed while the pages were copied: copied now, no commit beside it.
                await writeGate.EnterAsync(WritePriority.Normal);
                try
                {
                    await CheckpointAsync(connection);
                    Restarts++;
                }
                finally
                {
                    writeGate.Exit();
                }
            }

            Completed++;
        }
        catch (Exception e)
        {
            // Nothing is lost: the log holds every commit, and the next checkpoint (or the writers'
            // own, past the safety net) copies it.
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            LastFailure = e;
            if (logger is not null)
            {
                LogFailed(logger, e);
            }
        }
    }

    /// <summary>A PASSIVE checkpoint (copies what no reader still needs, waits for nobody); the log's length in pages.</summary>
    private static async Task<long> CheckpointAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        // A busy store is retried at the next commit rather than for the default 30 s (the gate may be held).
        command.CommandTimeout = 1;
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetInt64(1) : 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite checkpoint failed; the next commit starts another")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
