using System.Data.Common;
using System.Diagnostics;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// SQLite's WAL checkpoints (copying committed pages from the log into the database file), taken
/// off the writer's path. Left to SQLite, the connection that commits past 1,000 log pages copies
/// them itself before its caller hears of the commit — a stall of the one writer every few
/// commits, and pages written again and again copied each time. Here a commit starts a checkpoint
/// on a connection of its own when none runs and the last one started at least
/// <see cref="MinInterval"/> ago: it copies beside the writer; when the log it found was long
/// (<see cref="RestartPages"/>), it copies what was committed meanwhile with the write gate held,
/// so the next commit starts the log again from its beginning (SQLite restarts it only when every
/// page in it is copied). The writers keep SQLite's own checkpoint as a safety net at
/// <see cref="SafetyNetPages"/>, should these fall behind.
/// </summary>
public sealed class WalCheckpointer(Func<CancellationToken, Task<DbConnection>> open, SemaphoreSlim writeGate, TimeProvider time)
{
    /// <summary>Checkpoints start at most this often: pages written many times in between are copied once.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A log this long (16 MB of 4 KB pages) is copied to its end, writer held, so it restarts.</summary>
    public const int RestartPages = 4_000;

    /// <summary>The writers' own checkpoint (SQLite's wal_autocheckpoint), past which they copy themselves.</summary>
    public const int SafetyNetPages = 4 * RestartPages;

    /// <summary>The log file is cut back to this size when it restarts (SQLite's journal_size_limit).</summary>
    public const long LogSizeLimit = 64L * 1024 * 1024;

    private readonly Lock gate = new();
    private DateTimeOffset lastStart = DateTimeOffset.MinValue;
    private Task running = Task.CompletedTask;

    /// <summary>Checkpoints run so far (tests).</summary>
    public int Completed { get; private set; }

    /// <summary>Called after each commit, gate released: starts a checkpoint when one is due.</summary>
    public void Committed()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (!running.IsCompleted || now - lastStart < MinInterval)
            {
                return;
            }

            lastStart = now;
            running = Task.Run(RunAsync);
        }
    }

    /// <summary>Completes when no checkpoint runs (disposal, tests).</summary>
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
            var (log, copied) = await CheckpointAsync(connection);
            activity?.SetTag("proactive.db.wal_pages", log);
            if (log >= RestartPages && copied < log)
            {
                await writeGate.WaitAsync();
                try
                {
                    await CheckpointAsync(connection);
                }
                finally
                {
                    writeGate.Release();
                }
            }

            Completed++;
        }
        catch (Exception e)
        {
            // Nothing is lost: the log holds every commit, the next checkpoint (or the writers'
            // own, past the safety net) copies it. The failure shows in the trace.
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
        }
    }

    /// <summary>A PASSIVE checkpoint: copies what no reader still needs, waits for nobody.</summary>
    private static async Task<(long Log, long Copied)> CheckpointAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }
}
