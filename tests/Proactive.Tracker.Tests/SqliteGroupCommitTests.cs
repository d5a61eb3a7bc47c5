using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Tracker.Tests;

/// <summary>
/// On SQLite, units of work that queue while a transaction is under way share the next one (one
/// commit for many), each undone alone when it fails, urgent ones first, in their callers' context.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private static readonly AsyncLocal<string?> Caller = new();
    private readonly string directory = Directory.CreateTempSubdirectory("proactive-group-").FullName;
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> ran = [];
    private Database database = null!;
    private Task holding = Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        database = new Database($"Data Source={Path.Combine(directory, "store.db")}");
        await database.MigrateAsync(new SchemaMigrations("group-test", ["CREATE TABLE rows (name TEXT NOT NULL UNIQUE)"]), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        release.TrySetResult();
        await holding;
        await database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task UnitsQueuedWhileATransactionRunsShareTheNextOneUrgentFirst()
    {
        await HoldTheWriterAsync();
        var transactions = new List<DbTransaction>();
        var queued = new[]
        {
            Insert("normal 1", transactions),
            Insert("urgent", transactions, WritePriority.Urgent),
            Insert("normal 2", transactions),
        };
        await WritersWaitingAsync(3);

        release.SetResult();
        await Task.WhenAll(queued);

        transactions.Distinct().Count().ShouldBe(1, "one transaction, one commit for the three");
        ran.ShouldBe(["holder", "urgent", "normal 1", "normal 2"]);
        (await StoredAsync()).ShouldBe(["holder", "normal 1", "normal 2", "urgent"]);
    }

    [Fact]
    public async Task AUnitThatFailsIsUndoneAloneAndItsCallerGetsItsException()
    {
        await HoldTheWriterAsync();
        var before = Insert("before", []);
        var failing = database.WriteAsync<int>(
            async (c, tx) =>
            {
                await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('failing')", transaction: tx);
                throw new InvalidOperationException("this unit's own failure");
            },
            TestContext.Current.CancellationToken);
        var after = Insert("after", []);
        await WritersWaitingAsync(3);

        release.SetResult();

        (await Should.ThrowAsync<InvalidOperationException>(() => failing)).Message.ShouldBe("this unit's own failure");
        await Task.WhenAll(before, after);
        (await StoredAsync()).ShouldBe(["after", "before", "holder"]);
    }

    [Fact]
    public async Task AFailingStatementLeavesTheOthersToCommit()
    {
        await HoldTheWriterAsync();
        var duplicate = Insert("holder", []);
        var other = Insert("other", []);
        await WritersWaitingAsync(2);

        release.SetResult();

        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => duplicate);
        await other;
        (await StoredAsync()).ShouldBe(["holder", "other"]);
    }

    [Fact]
    public async Task EveryTransactionRunsOnTheWritersOwnConnectionUntilTheStoreFails()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await database.WriteAsync((c, _) => Task.FromResult((Microsoft.Data.Sqlite.SqliteConnection)c), ct);

        // A reader busy between two commits: from a pool, it could take the writer's last connection.
        var reading = new TaskCompletionSource<Microsoft.Data.Sqlite.SqliteConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = database.ReadAsync(
            async c =>
            {
                reading.SetResult((Microsoft.Data.Sqlite.SqliteConnection)c);
                await done.Task;
                return 0;
            },
            ct);
        var readerConnection = await reading.Task;
        var second = await database.WriteAsync((c, _) => Task.FromResult((Microsoft.Data.Sqlite.SqliteConnection)c), ct);
        done.SetResult();
        await reader;

        readerConnection.Handle.ShouldNotBe(first.Handle, "the writer's connection is never lent to a reader");
        second.ShouldBeSameAs(first, "the page cache of the last commit is still valid for the next");

        // A unit's own failure keeps the connection, a constraint it broke too.
        await Should.ThrowAsync<InvalidOperationException>(() => database.WriteAsync<int>((_, _) => throw new InvalidOperationException("own"), ct));
        await Insert("once", []);
        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => Insert("once", []));
        (await database.WriteAsync((c, _) => Task.FromResult(c), ct)).ShouldBeSameAs(first);

        // A failure of the store itself (here: the connection left read-only) drops and closes it.
        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => database.WriteAsync(
            async (c, tx) =>
            {
                await c.ExecuteAsync("PRAGMA query_only = 1", transaction: tx);
                return await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('refused')", transaction: tx);
            },
            ct));
        first.State.ShouldBe(System.Data.ConnectionState.Closed);
        await Insert("after", []);
        (await database.WriteAsync((c, _) => Task.FromResult(c), ct)).ShouldNotBeSameAs(first);
        (await StoredAsync()).ShouldBe(["after", "once"]);
    }

    [Fact]
    public async Task DisposingTheStoreClosesTheWritersConnection()
    {
        var writer = await database.WriteAsync((c, _) => Task.FromResult(c), TestContext.Current.CancellationToken);
        writer.State.ShouldBe(System.Data.ConnectionState.Open);

        await database.DisposeAsync();

        writer.State.ShouldBe(System.Data.ConnectionState.Closed);
        await Should.ThrowAsync<ObjectDisposedException>(() => Insert("late", []));
    }

    [Fact]
    public async Task ACallerCancelledWhileWaitingLeavesNothingBehind()
    {
        await HoldTheWriterAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = database.WriteAsync(
            async (c, tx) => await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('cancelled')", transaction: tx),
            cancel.Token);
        var other = Insert("other", []);
        await WritersWaitingAsync(2);

        await cancel.CancelAsync();
        release.SetResult();

        await Should.ThrowAsync<OperationCanceledException>(() => cancelled);
        await other;
        (await StoredAsync()).ShouldBe(["holder", "other"]);
    }

    [Fact]
    public async Task AUnitRunsInItsCallersContext()
    {
        await HoldTheWriterAsync();
        var seen = new List<(string Name, string? Caller)>();
        var units = new[] { "first", "second" }.Select(name => Task.Run(
            () =>
            {
                Caller.Value = name;
                return database.WriteAsync(
                    async (c, tx) =>
                    {
                        await c.ExecuteAsync("INSERT INTO rows (name) VALUES (@name)", new { name }, tx);
                        seen.Add((name, Caller.Value));
                        return 0;
                    },
                    TestContext.Current.CancellationToken);
            },
            TestContext.Current.CancellationToken)).ToArray();
        await WritersWaitingAsync(2);

        release.SetResult();
        await Task.WhenAll(units);

        seen.OrderBy(s => s.Name).ShouldBe([("first", "first"), ("second", "second")]);
    }

    [Fact]
    public async Task ACallerWhoseUnitAnotherTransactionCommittedDoesNotQueueForTheWriter()
    {
        await HoldTheWriterAsync();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> urgentLater = Task.FromResult(0);
        var normal = Insert("normal", []);
        var urgent = database.WriteUrgentAsync(
            async (c, tx) =>
            {
                // While this transaction (which took "normal" too) runs, another urgent unit queues:
                // it is let in before the normal caller, and holds the writer until the test lets it go.
                urgentLater = database.WriteUrgentAsync(
                    async (c2, tx2) =>
                    {
                        secondStarted.SetResult();
                        await second.Task;
                        return await c2.ExecuteAsync("INSERT INTO rows (name) VALUES ('urgent later')", transaction: tx2);
                    },
                    TestContext.Current.CancellationToken);
                return await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('urgent')", transaction: tx);
            },
            TestContext.Current.CancellationToken);
        await WritersWaitingAsync(2);

        release.SetResult();
        await secondStarted.Task;

        // Committed by the urgent unit's transaction: answered while the later one still holds the writer.
        (await normal.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).ShouldBe(1);
        await urgent;
        second.SetResult();
        await urgentLater;
        (await StoredAsync()).ShouldBe(["holder", "normal", "urgent", "urgent later"]);
    }

    [Fact]
    public async Task AUnitCancelledAfterItWasTakenRunsAndItsCallerGetsItsResult()
    {
        await HoldTheWriterAsync();
        using var cancel = new CancellationTokenSource();
        var first = database.WriteAsync(
            async (c, tx) =>
            {
                // The transaction has taken both units: the second's caller is cancelled now.
                await cancel.CancelAsync();
                return await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('first')", transaction: tx);
            },
            TestContext.Current.CancellationToken);
        var taken = database.WriteAsync(
            async (c, tx) => await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('taken')", transaction: tx),
            cancel.Token);
        await WritersWaitingAsync(2);

        release.SetResult();

        (await taken).ShouldBe(1, "it was stored, so its caller hears so");
        await first;
        (await StoredAsync()).ShouldBe(["first", "holder", "taken"]);
    }

    [Fact]
    public async Task ATransactionThatHeldTheWriterLongIsLoggedWithItsCommitsShareAndOperations()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        await using var timed = new Database($"Data Source={Path.Combine(directory, "timed.db")}", time: time, logger: logger);
        await timed.MigrateAsync(new SchemaMigrations("group-test", ["CREATE TABLE rows (name TEXT NOT NULL UNIQUE)"]), TestContext.Current.CancellationToken);
        List<string> Warnings() => [.. logger.Collector.GetSnapshot()
            .Where(r => r.Level == LogLevel.Warning && r.Message.Contains("held the writer", StringComparison.Ordinal))
            .Select(r => r.Message)];

        // A unit's own work holds the writer (the clock moves while it runs); its commit takes no fake time.
        Task WriteTakingAsync(string name, TimeSpan taking, bool fail = false) => timed.WriteAsync(
            async (c, tx) =>
            {
                await c.ExecuteAsync("INSERT INTO rows (name) VALUES (@name)", new { name }, tx);
                time.Advance(taking);
                return fail ? throw new InvalidOperationException("the unit's own failure") : 0;
            },
            TestContext.Current.CancellationToken,
            operation: "StoreRow");

        await WriteTakingAsync("quick", Database.SlowSqliteTransaction - TimeSpan.FromMilliseconds(1));
        Warnings().ShouldBeEmpty("a transaction under the threshold is not logged");

        await WriteTakingAsync("at the threshold", Database.SlowSqliteTransaction);
        Warnings().ShouldBe(["A SQLite transaction held the writer 100 ms (committed; its commit, the log written and synced, 0 ms of it), every write waiting: StoreRow"]);

        // A transaction that stored nothing held the writer as long.
        logger.Collector.Clear();
        await Should.ThrowAsync<InvalidOperationException>(() => WriteTakingAsync("failing", TimeSpan.FromMilliseconds(250), fail: true));
        Warnings().ShouldBe(["A SQLite transaction held the writer 250 ms (failed; its commit, the log written and synced, 0 ms of it), every write waiting: StoreRow"]);

        // Units that shared a transaction are named together, by operation.
        logger.Collector.Clear();
        var holder = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = timed.WriteAsync(async (_, _) => { await holder.Task; return 0; }, TestContext.Current.CancellationToken, operation: "Hold");
        var shared = new[] { WriteTakingAsync("first", TimeSpan.Zero), WriteTakingAsync("second", TimeSpan.FromMilliseconds(150)) };
        await TestDatabase.WritersWaitingAsync(timed, 2);
        holder.SetResult();
        await held;
        await Task.WhenAll(shared);
        Warnings().ShouldBe(["A SQLite transaction held the writer 150 ms (committed; its commit, the log written and synced, 0 ms of it), every write waiting: StoreRow ×2"]);
    }

    /// <summary>A unit that holds the writer (its transaction open) until the test releases it.</summary>
    private async Task HoldTheWriterAsync()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holding = database.WriteAsync(
            async (c, tx) =>
            {
                await c.ExecuteAsync("INSERT INTO rows (name) VALUES ('holder')", transaction: tx);
                ran.Add("holder");
                started.SetResult();
                await release.Task;
                return 0;
            },
            TestContext.Current.CancellationToken);
        await started.Task;
    }

    private Task<int> Insert(string name, List<DbTransaction> transactions, WritePriority priority = WritePriority.Normal)
    {
        Func<DbConnection, DbTransaction, Task<int>> work = async (c, tx) =>
        {
            transactions.Add(tx);
            ran.Add(name);
            return await c.ExecuteAsync("INSERT INTO rows (name) VALUES (@name)", new { name }, tx);
        };
        return priority == WritePriority.Urgent
            ? database.WriteUrgentAsync(work, TestContext.Current.CancellationToken)
            : database.WriteAsync(work, TestContext.Current.CancellationToken);
    }

    private Task WritersWaitingAsync(int count) => TestDatabase.WritersWaitingAsync(database, count);

    private async Task<List<string>> StoredAsync() =>
        [.. await database.ReadAsync(c => c.QueryAsync<string>("SELECT name FROM rows ORDER BY name"), TestContext.Current.CancellationToken)];
}
