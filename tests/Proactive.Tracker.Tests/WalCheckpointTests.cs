using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Tests;

/// <summary>
/// SQLite's WAL checkpoints run beside the writer (WalCheckpointer), not inside the commit that
/// crossed SQLite's 1,000-page mark: a commit returns with its pages still in the log, a later
/// commit (at least WalCheckpointer.MinInterval on) starts a checkpoint of its own.
/// </summary>
public sealed class WalCheckpointTests : IAsyncLifetime
{
    private const int PageSize = 4096;
    private readonly string directory = Directory.CreateTempSubdirectory("proactive-wal-").FullName;
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private Database database = null!;

    // Held open, outside the pool: other tests clear every pool (SqliteConnection.ClearAllPools), and a
    // closing connection that finds no other holding the file checkpoints the whole log itself.
    private SqliteConnection keepAlive = null!;

    private string File => Path.Combine(directory, "store.db");

    private WalCheckpointer Checkpoints => database.Checkpointer!;

    public async ValueTask InitializeAsync()
    {
        database = new Database($"Data Source={File}", StoreKind.Sqlite, SqliteSynchronous.Full, time);
        await database.MigrateAsync(new SchemaMigrations("wal-test", ["CREATE TABLE pages (x BLOB NOT NULL)"]), TestContext.Current.CancellationToken);
        await Checkpoints.IdleAsync();
        keepAlive = new SqliteConnection($"Data Source={File};Pooling=False");
        await keepAlive.OpenAsync(TestContext.Current.CancellationToken);
        // A read takes the file's shared lock, which a WAL connection keeps while open.
        await keepAlive.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master");
    }

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        await keepAlive.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task WritersHaveTheLargerCacheAndEveryConnectionTheSafetyNetAndFullSync()
    {
        // Two connections open at once: the pool cannot hand the same one out twice, and only one
        // connection has written so far (the migration's), so one of them at least never wrote.
        await using var first = await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var second = await database.OpenAsync(TestContext.Current.CancellationToken);
        var inWrite = await database.WriteAsync(
            async (c, t) => (await c.ExecuteScalarAsync<long>("PRAGMA cache_size", transaction: t), await c.ExecuteScalarAsync<long>("PRAGMA wal_autocheckpoint", transaction: t)),
            TestContext.Current.CancellationToken);

        inWrite.ShouldBe((-Database.SqliteCacheKiB, (long)WalCheckpointer.SafetyNetPages));
        var caches = new[] { await first.ExecuteScalarAsync<long>("PRAGMA cache_size"), await second.ExecuteScalarAsync<long>("PRAGMA cache_size") };
        caches.ShouldContain(-2000L, "a connection that never wrote keeps SQLite's default cache");
        foreach (var connection in new[] { first, second })
        {
            (await connection.ExecuteScalarAsync<long>("PRAGMA wal_autocheckpoint")).ShouldBe(WalCheckpointer.SafetyNetPages);
            (await connection.ExecuteScalarAsync<long>("PRAGMA journal_size_limit")).ShouldBe(WalCheckpointer.LogSizeLimit);
            (await connection.ExecuteScalarAsync<long>("PRAGMA synchronous")).ShouldBe(2L);
        }
    }

    [Fact]
    public async Task ACommitReturnsWithItsPagesInTheLogAndALaterCommitCheckpointsThemBesideTheWriter()
    {
        var before = Checkpoints.Completed;
        var fileBefore = new FileInfo(File).Length;

        // 2,000 pages in one commit: past SQLite's own 1,000-page checkpoint, within the interval.
        await WritePagesAsync(2_000);

        Checkpoints.Completed.ShouldBe(before);
        (new FileInfo(File).Length - fileBefore).ShouldBeLessThan(100L * PageSize, "the commit copied its pages into the file itself");

        await WritePagesAfterTheIntervalAsync(1);

        Checkpoints.Completed.ShouldBe(before + 1);
        (new FileInfo(File).Length - fileBefore).ShouldBeGreaterThan(2_000L * PageSize);
    }

    [Fact]
    public async Task ALongLogIsFinishedWithTheWriterHeldSoTheNextCommitStartsItAgain()
    {
        var restarts = Checkpoints.Restarts;
        await WritePagesAsync(WalCheckpointer.RestartPages + 500);
        await WritePagesAfterTheIntervalAsync(1);

        Checkpoints.Restarts.ShouldBe(restarts + 1, $"checkpoints {Checkpoints.Completed}, {Checkpoints.LastFailure}");
        await WritePagesAsync(1);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        var log = await connection.QuerySingleAsync<(long Busy, long Log, long Copied)>("PRAGMA wal_checkpoint(PASSIVE)");
        log.Log.ShouldBeLessThan(20, "the log started again from its beginning");
    }

    [Fact]
    public async Task AShortLogIsCopiedWithoutHoldingTheWriter()
    {
        var restarts = Checkpoints.Restarts;
        await WritePagesAfterTheIntervalAsync(10);

        Checkpoints.Restarts.ShouldBe(restarts);
    }

    [Fact]
    public async Task AfterDisposalACommitIsRefusedAndStartsNoCheckpoint()
    {
        var before = Checkpoints.Completed;
        await database.DisposeAsync();

        // The store's file lock is released: writing now could race another process's writer.
        await Should.ThrowAsync<ObjectDisposedException>(() => WritePagesAfterTheIntervalAsync(1));
        Checkpoints.Completed.ShouldBe(before);
    }

    [Fact]
    public async Task CommitsWithinTheIntervalStartNoSecondCheckpoint()
    {
        var before = Checkpoints.Completed;
        await WritePagesAfterTheIntervalAsync(1);
        await WritePagesAsync(1);
        await WritePagesAsync(1);
        await Checkpoints.IdleAsync();

        Checkpoints.Completed.ShouldBe(before + 1);
    }

    /// <summary>A commit once the checkpoints' interval has passed, and the checkpoint it may start.</summary>
    private async Task WritePagesAfterTheIntervalAsync(int pages)
    {
        time.Advance(WalCheckpointer.MinInterval);
        await WritePagesAsync(pages);
        await Checkpoints.IdleAsync();
    }

    private Task WritePagesAsync(int pages) =>
        database.WriteAsync(
            (c, t) => c.ExecuteAsync(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @pages) INSERT INTO pages (x) SELECT randomblob(4000) FROM n",
                new { pages },
                t),
            TestContext.Current.CancellationToken);
}
