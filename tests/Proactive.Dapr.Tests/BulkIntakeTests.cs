using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using Dapper;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Intake;
using static Proactive.Tests.Shared.ContractEvents;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

public sealed class BulkIntakeOnSqlite : BulkIntakeTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class BulkIntakeOnPostgres : BulkIntakeTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>
/// Tracker's intake behind a stand-in daprd, on each store: a bulk delivery handled as one unit yet
/// answered entry by entry, and single deliveries arriving together sharing commits.
/// </summary>
public abstract class BulkIntakeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));

    private readonly FakeTimeProvider time = new(Now);
    private readonly List<IAsyncDisposable> hosts = [];
    private FakeSidecar sidecar = null!;

    protected abstract StoreKind Kind { get; }

    public async ValueTask InitializeAsync() => sidecar = await FakeSidecar.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        await sidecar.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Tracker on this class's store; a store that cannot be written makes a write fail after <paramref name="timeoutSeconds"/>.</summary>
    private async Task<(DaprServiceHost<TrackerProgram> Tracker, StandInDaprd Daprd, string ConnectionString)> StartAsync(int timeoutSeconds = 30)
    {
        var settings = new Dictionary<string, string?> { ["Proactive:Tracker:Intake:Consumers"] = "1" };
        string? postgres = null;
        if (Kind == StoreKind.Postgres)
        {
            postgres = $"{await TestPostgres.CreateDatabaseAsync()};Command Timeout={timeoutSeconds}";
            settings["Proactive:Store"] = "Postgres";
            settings["ConnectionStrings:Proactive"] = postgres;
        }

        var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time, settings, databaseTimeoutSeconds: timeoutSeconds);
        hosts.Add(tracker);
        var daprd = new StandInDaprd(tracker.AppAddress);
        hosts.Add(new Disposer(daprd.Dispose));
        (await daprd.ListTopicSubscriptionsAsync()).Subscriptions.Count.ShouldBe(4);
        return (tracker, daprd, postgres ?? $"Data Source={tracker.DatabasePath};Pooling=False");
    }

    /// <summary>Holds the events table so that no write can go through, until disposed.</summary>
    private async Task<IAsyncDisposable> BlockWritesAsync(string connectionString)
    {
        if (Kind == StoreKind.Postgres)
        {
            var pg = new NpgsqlConnection(connectionString);
            await pg.OpenAsync(Ct);
            await pg.ExecuteAsync("BEGIN; LOCK TABLE tracker_events IN ACCESS EXCLUSIVE MODE;");
            return new Disposer(async () =>
            {
                await pg.ExecuteAsync("ROLLBACK");
                await pg.DisposeAsync();
            });
        }

        var sqlite = new SqliteConnection(connectionString);
        await sqlite.OpenAsync(Ct);
        await sqlite.ExecuteAsync("BEGIN EXCLUSIVE");
        return new Disposer(async () =>
        {
            await sqlite.ExecuteAsync("ROLLBACK");
            await sqlite.DisposeAsync();
        });
    }

    private static Task<long> StoredAsync(DaprServiceHost<TrackerProgram> tracker, string eventId) =>
        tracker.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tracker_events WHERE event_id = @eventId", new { eventId }), Ct);

    private static TopicEventBulkRequestEntry Entry(StandInDaprd daprd, string entryId, string topic, JsonObject cloudEvent) =>
        new() { EntryId = entryId, CloudEvent = daprd.CloudEvent(topic, cloudEvent), ContentType = "application/cloudevents+json" };

    private static TopicEventBulkRequestEntry BytesEntry(string entryId, string structured) =>
        new() { EntryId = entryId, Bytes = ByteString.CopyFromUtf8(structured), ContentType = "application/cloudevents+json" };

    /// <summary>OnBulkTopicEvent with entries built by hand (CloudEvent and Bytes ones, our own entry ids).</summary>
    private static Task<TopicEventBulkResponse> BulkAsync(StandInDaprd daprd, string topic, params TopicEventBulkRequestEntry[] entries)
    {
        var request = new TopicEventBulkRequest { Id = Guid.NewGuid().ToString(), Topic = topic, PubsubName = "pubsub", Type = "com.dapr.event.sent.bulk", Path = "" };
        request.Entries.AddRange(entries);
        var method = new Method<TopicEventBulkRequest, TopicEventBulkResponse>(
            MethodType.Unary,
            "dapr.proto.runtime.v1.AppCallback",
            "OnBulkTopicEvent",
            Marshallers.Create<TopicEventBulkRequest>(m => m.ToByteArray(), _ => throw new NotSupportedException()),
            Marshallers.Create(m => m.ToByteArray(), TopicEventBulkResponse.Parser.ParseFrom));
        return daprd.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(new Metadata { { "pubsubname", "pubsub" } }, cancellationToken: Ct), request).ResponseAsync;
    }

    private static (string, Status)[] Answers(TopicEventBulkResponse response) => [.. response.Statuses.Select(s => (s.EntryId, s.Status))];

    [Fact]
    public async Task ABulkOfMixedEntriesIsAnsweredEntryByEntryAndStoresEachValidEventOnce()
    {
        var (tracker, daprd, _) = await StartAsync();
        (await daprd.OnTopicEventAsync("orders", OrderPlaced("M-0", Now.AddHours(-2), Promise, id: "m-0"))).Status.ShouldBe(Status.Success);
        var refused = OrderPlaced("M-9", Now.AddHours(-1), Promise, id: "m-9");
        refused["data"]!["customer"]!["phone"] = "010-1234";

        var response = await BulkAsync(
            daprd,
            "orders",
            Entry(daprd, "valid", "orders", OrderPlaced("M-1", Now.AddHours(-1), Promise, id: "m-1")),
            Entry(daprd, "refused", "orders", refused),
            Entry(daprd, "again-in-this-bulk", "orders", OrderPlaced("M-1", Now.AddHours(-1), Promise, id: "m-1")),
            Entry(daprd, "delivered-before", "orders", OrderPlaced("M-0", Now.AddHours(-2), Promise, id: "m-0")),
            BytesEntry("bytes", OrderPlaced("M-2", Now.AddHours(-1), Promise, id: "m-2").ToJsonString()),
            BytesEntry("not-a-cloudevent", "{\"hello\": 1}"),
            Entry(daprd, "last", "orders", OrderPlaced("M-3", Now.AddHours(-1), Promise, id: "m-3")));

        Answers(response).ShouldBe(
        [
            ("valid", Status.Success), ("refused", Status.Drop), ("again-in-this-bulk", Status.Success), ("delivered-before", Status.Success),
            ("bytes", Status.Success), ("not-a-cloudevent", Status.Drop), ("last", Status.Success),
        ]);
        foreach (var id in new[] { "m-0", "m-1", "m-2", "m-3" })
        {
            (await StoredAsync(tracker, id)).ShouldBe(1, id);
        }

        (await StoredAsync(tracker, "m-9")).ShouldBe(0);
    }

    [Fact]
    public async Task AnEntryWhoseOrderCannotBeEvaluatedIsHeldAloneAndTheOthersAreStored()
    {
        var (tracker, daprd, _) = await StartAsync();
        var db = tracker.Services.GetRequiredService<Database>();
        await db.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                """
                INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload)
                VALUES ('poison', 'p-1', 'P-1', 'proactive.order.updated.v1', 0, 0, '{"promisedBy": "not a time"}');
                INSERT INTO tracker_orders (order_id, sequence) VALUES ('P-1', 0) ON CONFLICT (order_id) DO UPDATE SET timeline = NULL;
                """,
                transaction: tx),
            Ct);

        var response = await BulkAsync(
            daprd,
            "orders",
            Entry(daprd, "h-1", "orders", OrderPlaced("H-1", Now.AddHours(-1), Promise, id: "h-1")),
            Entry(daprd, "p-1", "orders", OrderPlaced("P-1", Now.AddHours(-1), Promise, id: "p-1-placed")),
            Entry(daprd, "h-2", "orders", OrderPlaced("H-2", Now.AddHours(-1), Promise, id: "h-2")));

        // Held (SUCCESS, not RETRY, which would hold the partition) while the others are stored.
        Answers(response).ShouldBe([("h-1", Status.Success), ("p-1", Status.Success), ("h-2", Status.Success)]);
        (await StoredAsync(tracker, "h-1")).ShouldBe(1);
        (await StoredAsync(tracker, "h-2")).ShouldBe(1);
        (await StoredAsync(tracker, "p-1-placed")).ShouldBe(0);
        (await db.ReadAsync(c => c.QueryAsync<string>("SELECT item_key FROM queue_item_failures WHERE queue = 'inbound.orders'"), Ct))
            .ShouldBe(["shop-orders/p-1-placed"]);

        // Once the order can be evaluated, the held event is stored by its retry.
        await db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM tracker_events WHERE source = 'poison'", transaction: tx), Ct);
        time.Advance(TimeSpan.FromSeconds(10));
        (await tracker.Services.GetRequiredService<HeldEventRetry>().RetryDueAsync(Ct)).ShouldBe(1);
        (await StoredAsync(tracker, "p-1-placed")).ShouldBe(1);
    }

    [Fact]
    public async Task WhenTheStoreCannotBeWrittenEveryReadableEntryIsRetriedAndNothingIsStoredThenARedeliveryStoresEachOnce()
    {
        var (tracker, daprd, connectionString) = await StartAsync(timeoutSeconds: 1);
        var refused = OrderPlaced("D-9", Now, Promise, id: "d-9");
        refused["type"] = "com.example.unknown";
        TopicEventBulkRequestEntry[] Delivery() =>
        [
            Entry(daprd, "d-1", "orders", OrderPlaced("D-1", Now, Promise, id: "d-1")),
            Entry(daprd, "d-9", "orders", refused),
            Entry(daprd, "d-2", "orders", OrderPlaced("D-2", Now, Promise, id: "d-2")),
        ];

        await using (await BlockWritesAsync(connectionString))
        {
            Answers(await BulkAsync(daprd, "orders", Delivery())).ShouldBe([("d-1", Status.Retry), ("d-9", Status.Drop), ("d-2", Status.Retry)]);
        }

        (await StoredAsync(tracker, "d-1")).ShouldBe(0);
        (await StoredAsync(tracker, "d-2")).ShouldBe(0);
        (await tracker.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM queue_item_failures"), Ct)).ShouldBe(0);

        for (var delivery = 0; delivery < 2; delivery++)
        {
            Answers(await BulkAsync(daprd, "orders", Delivery())).ShouldBe([("d-1", Status.Success), ("d-9", Status.Drop), ("d-2", Status.Success)]);
            (await StoredAsync(tracker, "d-1")).ShouldBe(1);
            (await StoredAsync(tracker, "d-2")).ShouldBe(1);
        }
    }

    [Fact]
    public async Task SingleDeliveriesArrivingTogetherAreEachAnsweredAndStoredOnceInSharedCommits()
    {
        var (tracker, daprd, connectionString) = await StartAsync();
        var intake = tracker.Services.GetRequiredService<IntakeBatcher>();
        var before = (intake.Commits, intake.Events);
        // 48 distinct events, 16 of them delivered twice at once.
        var events = Enumerable.Range(0, 64).Select(n => OrderPlaced($"G-{n % 48}", Now.AddHours(-1), Promise, id: $"g-{n % 48}")).ToList();

        List<Task<TopicEventResponse>> answers;
        await using (await BlockWritesAsync(connectionString))
        {
            answers = [.. events.Select(e => daprd.OnTopicEventAsync("orders", e))];
            // Every delivery is with the batcher (one commit blocked, the rest queued behind it) before the store is let go.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (intake.Queued + intake.InFlight < events.Count)
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, $"only {intake.Queued + intake.InFlight} deliveries reached the batcher");
                await Task.Delay(10, Ct);
            }

            answers.ShouldAllBe(a => !a.IsCompleted, "answered before the commit");
        }

        (await Task.WhenAll(answers)).ShouldAllBe(a => a.Status == Status.Success);
        (intake.Events - before.Events).ShouldBe(64);
        (intake.Commits - before.Commits).ShouldBeLessThanOrEqualTo(2, "the deliveries did not share commits");
        var stored = await tracker.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tracker_events WHERE order_id LIKE 'G-%'"), Ct);
        stored.ShouldBe(48);
    }

    private sealed class Disposer(Func<Task> dispose) : IAsyncDisposable
    {
        public Disposer(Action dispose)
            : this(() =>
            {
                dispose();
                return Task.CompletedTask;
            })
        {
        }

        public async ValueTask DisposeAsync() => await dispose();
    }
}

/// <summary>The callback's side of a bulk delivery, with a handler of its own.</summary>
public sealed class BulkCallbackTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private FakeSidecar sidecar = null!;
    private DaprServiceHost<TrackerProgram> tracker = null!;
    private StandInDaprd daprd = null!;

    public async ValueTask InitializeAsync()
    {
        sidecar = await FakeSidecar.StartAsync();
        tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time, services: s => s.AddSingleton<ITopicHandler, FragileHandler>());
        daprd = new StandInDaprd(tracker.AppAddress);
    }

    public async ValueTask DisposeAsync()
    {
        daprd.Dispose();
        await tracker.DisposeAsync();
        await sidecar.DisposeAsync();
    }

    [Fact]
    public async Task WhenTheHandlerFailsABulkAsAWholeButNotForTheStoreEachEntryIsHandledOnItsOwnAndOnlyTheBadOneIsHeld()
    {
        var entries = new[] { "ok-1", "bad", "ok-2" }.Select(id => new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = "test",
            ["type"] = "test.v1",
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject { ["orderId"] = $"O-{id}" },
        });

        var response = await daprd.OnBulkTopicEventAsync(FragileHandler.Name, entries);

        response.Statuses.Select(s => (s.EntryId, s.Status)).ShouldBe([("entry-0", Status.Success), ("entry-1", Status.Success), ("entry-2", Status.Success)]);
        var held = await tracker.Services.GetRequiredService<Database>().ReadAsync(
            c => c.QueryAsync<(string, string)>("SELECT queue, item_key FROM queue_item_failures"), TestContext.Current.CancellationToken);
        held.ShouldBe([($"inbound.{FragileHandler.Name}", "test/bad")]);
        FragileHandler.Handled.ShouldBe(["ok-1", "ok-2"], ignoreOrder: true);
    }

    /// <summary>Fails a whole bulk with a bug of its own (not the store's), and one event on its own.</summary>
    private sealed class FragileHandler : ITopicHandler
    {
        public const string Name = "fragile";

        public static readonly System.Collections.Concurrent.ConcurrentBag<string> Handled = [];

        public string Topic => Name;

        public Task<TopicOutcome> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
        {
            if (cloudEvent.Id == "bad")
            {
                throw new InvalidOperationException("this event breaks the handler");
            }

            Handled.Add(cloudEvent.Id!);
            return Task.FromResult(TopicOutcome.Success);
        }

        public Task<IReadOnlyList<TopicOutcome>> HandleManyAsync(IReadOnlyList<CloudEvent> cloudEvents, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the batch breaks the handler");
    }
}
