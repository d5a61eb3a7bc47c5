using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Store;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

public sealed class BatchIntakeOnSqlite : BatchIntakeTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class BatchIntakeOnPostgres : BatchIntakeTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>
/// Many events in one transaction (<see cref="OrderTracker.HandleBatchAsync"/>): each answered on
/// its own, each stored once, the same episodes as one by one, and an order that fails left out alone.
/// </summary>
public abstract class BatchIntakeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Promise = Now.AddDays(2);

    private readonly FakeTimeProvider time = new(Now);
    private readonly List<TestDatabase> databases = [];
    private ServiceProvider meters = null!;

    protected abstract StoreKind Kind { get; }

    public ValueTask InitializeAsync()
    {
        meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await meters.DisposeAsync();
        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }
    }

    private async Task<(OrderTracker Tracker, Database Database)> TrackerAsync(SchemaMigrations? migrations = null)
    {
        var test = await TestDatabase.CreateAsync(Kind, migrations ?? TrackerSchema.Migrations);
        databases.Add(test);
        var prediction = Options.Create(new PredictionSettings { Mode = PredictionMode.Off });
        var tracker = new OrderTracker(
            new TrackerStore(test.Database),
            new LatenessPredictor(new SharedModel(prediction), prediction, Options.Create(new TrackerOptions { DefaultTimeZone = "UTC" }), []),
            new OutboxSignal(),
            new TrackerMetrics(meters.GetRequiredService<IMeterFactory>()),
            time,
            Rules.RuleSettings.Default,
            NullLogger<OrderTracker>.Instance);
        return (tracker, test.Database);
    }

    /// <summary>An order placed, shipped, and its estimate slipped two days past the promise (an ETA_SLIP delay).</summary>
    private static InboundEvent[] Slipping(string order) =>
    [
        Events.Valid(OrderPlaced(order, Now.AddHours(-3), Promise, id: $"{order}-placed")),
        Events.Valid(ShipmentCreated(order, $"{order}-S", Now.AddHours(-2), Promise.AddHours(-3), id: $"{order}-created")),
        Events.Valid(Tracking(order, $"{order}-S", Now.AddHours(-1), "IN_TRANSIT", Promise.AddDays(2), id: $"{order}-tracking")),
    ];

    private static InboundEvent OnTime(string order) => Events.Valid(OrderPlaced(order, Now.AddHours(-3), Promise.AddDays(5), id: $"{order}-placed"));

    private static Task<long> CountAsync(Database database, string sql) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(sql), TestContext.Current.CancellationToken);

    /// <summary>What Tracker queued for Notifier and the timers it set, comparable across databases.</summary>
    private static async Task<List<string>> OutcomeAsync(Database database)
    {
        var outbox = await database.ReadAsync(
            c => c.QueryAsync<(string EventId, string Payload)>("SELECT event_id, payload FROM tracker_outbox ORDER BY event_id"), TestContext.Current.CancellationToken);
        var timers = await database.ReadAsync(
            c => c.QueryAsync<(string OrderId, long DueAt)>("SELECT order_id, due_at FROM tracker_timers ORDER BY order_id"), TestContext.Current.CancellationToken);
        var episodes = await database.ReadAsync(
            c => c.QueryAsync<(string EpisodeId, string Reason)>("SELECT episode_id, reason FROM tracker_episodes ORDER BY episode_id"), TestContext.Current.CancellationToken);
        return [.. outbox.Select(o => $"{o.EventId} {o.Payload}"), .. timers.Select(t => $"timer {t.OrderId} {t.DueAt}"), .. episodes.Select(e => $"{e.EpisodeId} {e.Reason}")];
    }

    [Fact]
    public async Task AnEventsDataIsStoredAsItArrivedAndReadBackAsTheSameMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        var placed = OrderPlaced("J-1", Now.AddHours(-3), Promise, id: "J-1-placed");
        var asSent = Events.Valid(placed);
        var withUnknownField = OrderPlaced("J-2", Now.AddHours(-3), Promise, id: "J-2-placed");
        withUnknownField["data"]!["loyaltyTier"] = "gold";
        var formatted = Events.Valid(withUnknownField);

        (await tracker.HandleBatchAsync([asSent, formatted], ct)).ShouldAllBe(r => r.Outcome == IngestOutcome.Accepted && !r.Failed);

        var rows = (await database.ReadAsync(
            c => c.QueryAsync<TrackerStore.EventRow>("SELECT source, event_id, type, order_id, occurred_at, payload FROM tracker_events ORDER BY event_id"), ct)).ToList();
        rows.Select(r => r.payload).ShouldBe([placed["data"]!.ToJsonString(), Google.Protobuf.JsonFormatter.Default.Format(formatted.Data)]);
        rows[1].payload.ShouldNotContain("loyaltyTier"); // a field we do not know is not kept
        rows.Select(r => TrackerStore.ToEvent(r).Data).ShouldBe([asSent.Data, formatted.Data]);
    }

    [Fact]
    public async Task ALateScanIsFoldedIntoTheSnapshotWithoutReadingTheOrdersEvents()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        foreach (var e in Slipping("L-1"))
        {
            await tracker.HandleAsync(e, ct);
        }

        // The order's stored events taken away by hand: folding what is stored would lose them, the snapshot carried forward keeps them.
        await database.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM tracker_events WHERE order_id = 'L-1'", transaction: tx), ct);
        var late = Tracking("L-1", "L-1-S", Now.AddMinutes(-90), "OUT_FOR_DELIVERY", id: "L-1-late");
        ((System.Text.Json.Nodes.JsonObject)late["data"]!)["location"] = "Daejeon Hub";
        (await tracker.HandleAsync(Events.Valid(late), ct)).ShouldBe(IngestOutcome.Accepted);

        var stored = await database.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT timeline FROM tracker_orders WHERE order_id = 'L-1'"), ct);
        var state = Timeline.TimelineSnapshot.Read(stored)!;
        state.EventCount.ShouldBe(4);
        state.Timeline.Terms.ShouldNotBeNull(); // the placed event's, folded before
        var shipment = state.Timeline.Shipments.Single();
        shipment.Status.ShouldBe(Timeline.ShipmentStatus.InTransit); // the newer scan's
        shipment.StatusAt.ShouldBe(Now.AddHours(-1));
        shipment.EstimatedDeliveryAt.ShouldBe(Promise.AddDays(2));
        shipment.Location.ShouldBe("Daejeon Hub"); // the newer scan gave none
    }

    [Fact]
    public async Task EveryEventIsAnsweredInItsPlaceAndStoredOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        var earlier = OnTime("B-2");
        (await tracker.HandleAsync(earlier, ct)).ShouldBe(IngestOutcome.Accepted);

        var a = Slipping("A-1");
        InboundEvent[] batch = [a[0], earlier, a[1], OnTime("C-3"), a[0], a[2]];
        var results = await tracker.HandleBatchAsync(batch, ct);

        results.Select(r => r.Outcome).ShouldBe(
        [
            IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Accepted, IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Accepted,
        ]);
        results.ShouldAllBe(r => !r.Failed);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events")).ShouldBe(5);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_outbox WHERE partition_key = 'A-1'")).ShouldBe(1);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_orders")).ShouldBe(3);
    }

    [Fact]
    public async Task OneBatchInAnyOrderLeavesWhatOneByOneLeaves()
    {
        var ct = TestContext.Current.CancellationToken;
        var events = new[] { "A-1", "A-2", "A-3" }.SelectMany(Slipping).Append(OnTime("B-1")).ToList();

        var (oneByOne, sequential) = await TrackerAsync();
        foreach (var e in events)
        {
            await oneByOne.HandleAsync(e, ct);
        }

        var (batched, together) = await TrackerAsync();
        var shuffled = events.OrderBy(e => e.Id.GetHashCode(StringComparison.Ordinal) ^ 0x5bd1e995).ToList();
        (await batched.HandleBatchAsync(shuffled, ct)).ShouldAllBe(r => r.Outcome == IngestOutcome.Accepted && !r.Failed);

        var expected = await OutcomeAsync(sequential);
        expected.Count(line => line.Contains("ETA_SLIP", StringComparison.Ordinal) || line.Contains("EtaSlip", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(3);
        (await OutcomeAsync(together)).ShouldBe(expected);
    }

    [Fact]
    public async Task AnOrderWhoseEvaluationFailsIsLeftOutAloneAndTheOthersAreStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        await tracker.HandleAsync(OnTime("P-1"), ct);
        await database.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                """
                INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload)
                VALUES ('poison', 'p-1', 'P-1', 'proactive.order.updated.v1', 0, 0, '{"promisedBy": "not a time"}');
                UPDATE tracker_orders SET timeline = NULL WHERE order_id = 'P-1';
                """,
                transaction: tx),
            ct);

        var p = Events.Valid(Tracking("P-1", "S-1", Now, "IN_TRANSIT", Promise, id: "p-1-tracking"));
        var q = Slipping("Q-1");
        var results = await tracker.HandleBatchAsync([q[0], p, q[1], q[2]], ct);

        results[1].Failed.ShouldBeTrue();
        results.Where((_, i) => i != 1).ShouldAllBe(r => !r.Failed && r.Outcome == IngestOutcome.Accepted);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE event_id = 'p-1-tracking'")).ShouldBe(0);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE order_id = 'Q-1'")).ShouldBe(3);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_outbox WHERE partition_key = 'Q-1'")).ShouldBe(1);
        await Should.ThrowAsync<Exception>(() => tracker.HandleAsync(p, ct));
    }

    [Fact]
    public async Task AnEventThatFailsAmongItsOrdersOthersInABatchIsLeftOutAloneAndTheOrdersOtherEventsAreStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        await tracker.HandleAsync(OnTime("R-1"), ct);

        // The order's stored event is unreadable: a new event carries the snapshot forward and never
        // reads it, but a late one folds the order again from its stored events, and fails.
        await database.WriteAsync(
            (c, tx) => c.ExecuteAsync("UPDATE tracker_events SET payload = '{\"promisedBy\": \"not a time\"}' WHERE event_id = 'R-1-placed'", transaction: tx),
            ct);
        var late = Events.Valid(ShipmentCreated("R-1", "R-1-S", Now.AddHours(-4), Promise, id: "r-1-late"));
        var later = Events.Valid(ShipmentCreated("R-1", "R-1-S2", Now.AddHours(-1), Promise, id: "r-1-later"));
        var q = Slipping("Q-2");

        var results = await tracker.HandleBatchAsync([late, q[0], later, q[1], q[2]], ct);

        results[0].Failed.ShouldBeTrue();
        results.Skip(1).ShouldAllBe(r => !r.Failed && r.Outcome == IngestOutcome.Accepted);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE event_id = 'r-1-late'")).ShouldBe(0);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE event_id = 'r-1-later'")).ShouldBe(1);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE order_id = 'Q-2'")).ShouldBe(3);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_outbox WHERE partition_key = 'Q-2'")).ShouldBe(1);
    }

    [Fact]
    public async Task ABatchIsOneTransaction()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        var writes = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is ProactiveTelemetry.SourceName or "batch-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName.StartsWith("db ", StringComparison.Ordinal) && (string?)a.GetTagItem("proactive.db.mode") == "write")
                {
                    writes.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var scope = new ActivitySource("batch-test").StartActivity("batch");
        scope.ShouldNotBeNull();

        var events = Enumerable.Range(1, 20).SelectMany(i => Slipping($"A-{i}")).ToList();
        (await tracker.HandleBatchAsync(events, ct)).ShouldAllBe(r => r.Outcome == IngestOutcome.Accepted && !r.Failed);

        writes.Where(w => w.TraceId == scope.TraceId).ShouldHaveSingleItem().OperationName.ShouldBe("db HandleBatch");
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_outbox")).ShouldBe(20);
    }

    [Fact]
    public async Task AnOrderStoredBeforeTheUpgradeIsFoldedWithItsEarlierEvents()
    {
        var ct = TestContext.Current.CancellationToken;
        var all = TrackerSchema.Migrations;
        var (_, database) = await TrackerAsync(all with { Steps = [.. all.Steps.Take(4)] });
        var a = Slipping("A-1");
        var store = new TrackerStore(database);
        foreach (var e in a[..2])
        {
            await store.InOrderTransactionAsync("A-1", order => order.TryAddEventAsync(e, Now), ct);
        }

        await database.MigrateAsync(all, ct);
        var upgraded = new OrderTracker(
            store,
            new LatenessPredictor(new SharedModel(Options.Create(new PredictionSettings { Mode = PredictionMode.Off })), Options.Create(new PredictionSettings { Mode = PredictionMode.Off }), Options.Create(new TrackerOptions { DefaultTimeZone = "UTC" }), []),
            new OutboxSignal(),
            new TrackerMetrics(meters.GetRequiredService<IMeterFactory>()),
            time,
            Rules.RuleSettings.Default,
            NullLogger<OrderTracker>.Instance);

        (await upgraded.HandleBatchAsync([a[2]], ct)).ShouldHaveSingleItem().Outcome.ShouldBe(IngestOutcome.Accepted);

        // The slip needs the order's promise, which only the event stored before the upgrade holds.
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_outbox WHERE partition_key = 'A-1'")).ShouldBe(1);
    }

    [Fact]
    public async Task ANewEventCostsTheOrdersSnapshotNotItsStoredEvents()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        var a = Slipping("A-1");
        await tracker.HandleBatchAsync(a[..2], ct);

        // Every stored event of the order made unreadable: only the snapshot can tell its promise.
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE tracker_events SET payload = '{\"promisedBy\": \"not a time\"}'", transaction: tx), ct);
        (await tracker.HandleBatchAsync([a[2]], ct)).ShouldHaveSingleItem().Failed.ShouldBeFalse();

        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_outbox WHERE partition_key = 'A-1'")).ShouldBe(1);
    }

    [Fact]
    public async Task ALateEventOrAnUnreadableSnapshotFoldsTheOrderAgainFromItsEvents()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = Slipping("A-1");
        var b = Slipping("B-1");
        var (tracker, database) = await TrackerAsync();

        // A-1's events newest first: each later one is older than what the snapshot folds.
        foreach (var e in a.Reverse())
        {
            await tracker.HandleAsync(e, ct);
        }

        // B-1's snapshot damaged between its events.
        await tracker.HandleAsync(b[0], ct);
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE tracker_orders SET timeline = '{\"v\":1,' WHERE order_id = 'B-1'", transaction: tx), ct);
        await tracker.HandleBatchAsync(b[1..], ct);

        var (inOrder, expected) = await TrackerAsync();
        await inOrder.HandleBatchAsync([.. a, .. b], ct);
        (await OutcomeAsync(database)).ShouldBe(await OutcomeAsync(expected));
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_orders WHERE timeline IS NULL")).ShouldBe(0);
    }

    [Fact]
    public async Task EventsStoredByAReplicaOfTheVersionBeforeAreFoldedIn()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        var store = new TrackerStore(database);
        var a = Slipping("A-1");
        var b = Slipping("B-1");

        // During a rolling upgrade an older replica stores events without the order's row (A-1: a
        // new order) or without carrying the snapshot forward (B-1).
        await store.InOrderTransactionAsync("A-1", order => order.TryAddEventAsync(a[0], Now), ct);
        await tracker.HandleAsync(b[0], ct);
        await store.InOrderTransactionAsync("B-1", order => order.TryAddEventAsync(b[1], Now), ct);

        await tracker.HandleBatchAsync([a[1], a[2], b[2]], ct);

        var (inOrder, expected) = await TrackerAsync();
        await inOrder.HandleBatchAsync([.. a, .. b], ct);
        (await OutcomeAsync(database)).ShouldBe(await OutcomeAsync(expected));
    }

    [Fact]
    public async Task EventsOutsideTheSnapshotAreFoldedInOnceThenTheSnapshotServesAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var (tracker, database) = await TrackerAsync();
        var b = Slipping("B-1");
        await tracker.HandleAsync(b[0], ct);
        await new TrackerStore(database).InOrderTransactionAsync("B-1", order => order.TryAddEventAsync(b[1], Now), ct);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE in_snapshot IS NULL")).ShouldBe(1);

        (await tracker.HandleAsync(b[2], ct)).ShouldBe(IngestOutcome.Accepted);
        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events WHERE in_snapshot IS NULL")).ShouldBe(0);

        // Folded in and marked: the next event reads the snapshot, which alone can still tell the
        // promise and the shipment (its events made unreadable), and ends as an in-order run does.
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE tracker_events SET payload = '{\"promisedBy\": \"not a time\"}'", transaction: tx), ct);
        var delivered = Events.Valid(Tracking("B-1", "B-1-S", Now.AddMinutes(-30), "DELIVERED", null, id: "B-1-delivered"));
        (await tracker.HandleBatchAsync([delivered], ct)).ShouldHaveSingleItem().Failed.ShouldBeFalse();

        var (oneByOne, expected) = await TrackerAsync();
        foreach (var e in (InboundEvent[])[.. b, delivered])
        {
            await oneByOne.HandleAsync(e, ct);
        }

        (await OutcomeAsync(database)).ShouldBe(await OutcomeAsync(expected));
    }

    [Fact]
    public async Task AnEventStoredAsFoldedIsRefusedUnlessItsOrderIsFoldedInTheSameTransaction()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, database) = await TrackerAsync();
        var a = Slipping("A-1");

        await Should.ThrowAsync<InvalidOperationException>(() => new TrackerStore(database).InIntakeTransactionAsync(
            [a[0]], Now, (batch, added) => Task.FromResult(added.Count), ct));

        (await CountAsync(database, "SELECT COUNT(*) FROM tracker_events")).ShouldBe(0);
    }

    [Fact]
    public async Task AMigrationStepMayRunLongerThanTheConnectionsCommandTimeout()
    {
        Assert.SkipWhen(Kind != StoreKind.Postgres, "SQLite's command timeout only bounds the wait for a lock.");
        var ct = TestContext.Current.CancellationToken;
        await using var database = new Database(await TestPostgres.CreateDatabaseAsync() + ";Command Timeout=1", StoreKind.Postgres);

        // A step that builds an index over a large table takes as long as it takes.
        await database.MigrateAsync(new SchemaMigrations("slow-test", ["SELECT pg_sleep(2)"]), ct);

        (await CountAsync(database, "SELECT COUNT(*) FROM schema_migrations WHERE module = 'slow-test'")).ShouldBe(1);
    }
}
