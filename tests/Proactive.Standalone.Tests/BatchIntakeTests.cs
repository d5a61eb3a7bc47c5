using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Intake;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// The standalone ingest storing many events at once: a batch's admitted entries in one call, each
/// still answered on its own; single POSTs arriving together in shared commits, each answered after it.
/// </summary>
public sealed class BatchIntakeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = Now.AddDays(3);
    private readonly string databasePath = Path.Combine(Path.GetTempPath(), "proactive-tests", $"{Guid.NewGuid():N}.db");
    private StandaloneHost? host;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>The host on a database file of the test's own; a write waits <paramref name="timeoutSeconds"/> for a lock it cannot take.</summary>
    private async Task StartAsync(int timeoutSeconds = 30) =>
        host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?> { ["ConnectionStrings:Proactive"] = $"Data Source={databasePath};Default Timeout={timeoutSeconds}" });

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        File.Delete(databasePath);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Database Db => host!.Services.GetRequiredService<Database>();

    private Task<long> StoredAsync(string eventId) =>
        Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tracker_events WHERE event_id = @eventId", new { eventId }), Ct);

    /// <summary>Holds the database's write lock until disposed, so no commit can go through.</summary>
    private async Task<SqliteConnection> BlockWritesAsync()
    {
        await host!.AcceptAsync(OrderPlaced("WARM-1", Now, Promise)); // migrated and open before the lock is taken
        var blocker = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await blocker.OpenAsync(Ct);
        await blocker.ExecuteAsync("BEGIN EXCLUSIVE");
        return blocker;
    }

    private static string[] Statuses(JsonElement answer) => [.. answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()!)];

    [Fact]
    public async Task AnEntryWhoseOrderCannotBeEvaluatedIsAnsweredNotStoredAloneAndTheOthersAreStored()
    {
        await StartAsync();
        await Db.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                """
                INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload)
                VALUES ('poison', 'p-1', 'P-1', 'proactive.order.updated.v1', 0, 0, '{"promisedBy": "not a time"}');
                INSERT INTO tracker_orders (order_id, sequence) VALUES ('P-1', 0) ON CONFLICT (order_id) DO UPDATE SET timeline = NULL;
                """,
                transaction: tx),
            Ct);
        var batch = new[] { OrderPlaced("E-1", Now, Promise, id: "e-1"), OrderPlaced("P-1", Now, Promise, id: "p-1-placed"), OrderPlaced("E-2", Now, Promise, id: "e-2") };

        using var response = await host!.PostBatchAsync("orders", batch);

        ((int)response.StatusCode).ShouldBe(207);
        response.Headers.RetryAfter.ShouldNotBeNull();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Statuses(answer).ShouldBe(["accepted", "error", "accepted"]);
        answer.GetProperty("results")[1].GetProperty("id").GetString().ShouldBe("p-1-placed");
        (await StoredAsync("e-1"), await StoredAsync("p-1-placed"), await StoredAsync("e-2")).ShouldBe((1, 0, 1));

        await Db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM tracker_events WHERE source = 'poison'", transaction: tx), Ct);
        using var again = await host!.PostBatchAsync("orders", batch);
        ((int)again.StatusCode).ShouldBe(202);
        Statuses(await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).ShouldBe(["duplicate", "accepted", "duplicate"]);
        (await StoredAsync("p-1-placed")).ShouldBe(1);
    }

    [Fact]
    public async Task WhenTheStoreCannotBeWrittenEveryAdmittedEntryIsAnErrorTheRefusedStayRefusedAndNothingIsStored()
    {
        await StartAsync(timeoutSeconds: 1);
        var refused = OrderPlaced("F-9", Now, Promise, id: "f-9");
        refused["data"]!["customer"]!["phone"] = "010-1234";
        var batch = new[] { OrderPlaced("F-1", Now, Promise, id: "f-1"), refused, OrderPlaced("F-2", Now, Promise, id: "f-2") };

        await using (var blocker = await BlockWritesAsync())
        {
            using var response = await host!.PostBatchAsync("orders", batch);

            ((int)response.StatusCode).ShouldBe(207);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Statuses(answer).ShouldBe(["error", "refused", "error"]);
            answer.GetProperty("failed").GetInt32().ShouldBe(2);
            await blocker.ExecuteAsync("ROLLBACK");
        }

        (await StoredAsync("f-1"), await StoredAsync("f-2")).ShouldBe((0, 0));
        using var again = await host!.PostBatchAsync("orders", batch);
        Statuses(await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).ShouldBe(["accepted", "refused", "accepted"]);
        (await StoredAsync("f-1"), await StoredAsync("f-2")).ShouldBe((1, 1));
    }

    [Fact]
    public async Task SinglePostsArrivingTogetherAreEachAcceptedAfterAndInSharedCommits()
    {
        await StartAsync();
        var intake = host!.Services.GetRequiredService<IntakeBatcher>();
        List<Task<HttpResponseMessage>> posts;
        long commitsBefore;
        await using (var blocker = await BlockWritesAsync())
        {
            commitsBefore = intake.Commits;
            posts = [.. Enumerable.Range(0, 32).Select(n => host!.PostAsync("orders", OrderPlaced($"C-{n % 24}", Now, Promise, id: $"c-{n % 24}")))];
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (intake.Queued + intake.InFlight < posts.Count)
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, $"only {intake.Queued + intake.InFlight} posts reached the batcher");
                await Task.Delay(10, Ct);
            }

            posts.ShouldAllBe(p => !p.IsCompleted, "answered before the commit");
            await blocker.ExecuteAsync("ROLLBACK");
        }

        var responses = await Task.WhenAll(posts);
        responses.ShouldAllBe(r => (int)r.StatusCode == 202);
        (intake.Commits - commitsBefore).ShouldBeLessThanOrEqualTo(2, "the posts did not share commits");
        (await Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tracker_events WHERE order_id LIKE 'C-%'"), Ct)).ShouldBe(24);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
