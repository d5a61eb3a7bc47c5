using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Publishing;
using static Proactive.Tests.Shared.ContractEvents;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>Tracker behind a stand-in daprd: subscriptions, statuses, publishing, token, trace.</summary>
public sealed class TrackerBoundaryTests : IAsyncLifetime
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));

    private readonly FakeTimeProvider time = new(Now);
    private FakeSidecar sidecar = null!;
    private DaprServiceHost<TrackerProgram> tracker = null!;
    private StandInDaprd daprd = null!;

    public async ValueTask InitializeAsync()
    {
        sidecar = await FakeSidecar.StartAsync();
        tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time);
        daprd = new StandInDaprd(tracker.AppAddress);
    }

    public async ValueTask DisposeAsync()
    {
        daprd.Dispose();
        await tracker.DisposeAsync();
        await sidecar.DisposeAsync();
    }

    internal static JsonObject[] Scenario(string order = Order) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, shipBy: Now.AddDays(1), id: $"{order}-placed"),
        ShipmentCreated(order, "S-9001", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, "S-9001", Now.AddMinutes(-5), "IN_TRANSIT", Promise.AddDays(2), id: $"{order}-tracking"),
    ];

    internal static string TopicOf(JsonObject e) => e["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders";

    private Task<int> RelayAsync() => tracker.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task SubscribesToTheContractTopicsWithDeadLettersAndBulkAndToTheDeadLettersThemselves()
    {
        var all = (await daprd.ListTopicSubscriptionsAsync()).Subscriptions;
        var subscriptions = all.Where(s => !s.Topic.EndsWith("-deadletter", StringComparison.Ordinal)).ToList();
        var deadLetters = all.Except(subscriptions).ToList();

        subscriptions.Select(s => s.Topic).ShouldBe(["orders", "shipments"]);
        subscriptions.ShouldAllBe(s => s.PubsubName == "pubsub" && s.DeadLetterTopic == s.Topic + "-deadletter");
        subscriptions.ShouldAllBe(s => s.BulkSubscribe.Enabled && s.BulkSubscribe.MaxMessagesCount == 100 && s.BulkSubscribe.MaxAwaitDurationMs == 1000);
        deadLetters.Select(s => s.Topic).ShouldBe(["orders-deadletter", "shipments-deadletter"]);
        deadLetters.ShouldAllBe(s => s.PubsubName == "pubsub" && s.DeadLetterTopic == "" && s.BulkSubscribe == null);
    }

    [Fact]
    public async Task TheComponentNameAndBulkSizesAreConfigurable()
    {
        await using var configured = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Dapr:PubSubName"] = "kafka-pubsub",
            ["Proactive:Dapr:BulkMaxMessages"] = "500",
            ["Proactive:Dapr:BulkMaxAwaitMilliseconds"] = "250",
        });
        using var client = new StandInDaprd(configured.AppAddress, "kafka-pubsub");

        var subscription = (await client.ListTopicSubscriptionsAsync()).Subscriptions[0];

        subscription.PubsubName.ShouldBe("kafka-pubsub");
        subscription.BulkSubscribe.MaxMessagesCount.ShouldBe(500);
        subscription.BulkSubscribe.MaxAwaitDurationMs.ShouldBe(250);
    }

    [Fact]
    public async Task ContractEventsAreProcessedAndTheDelayIsPublishedToNotices()
    {
        foreach (var e in Scenario())
        {
            (await daprd.OnTopicEventAsync(TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        await RelayAsync();

        var (request, _) = sidecar.Published.ShouldHaveSingleItem();
        request.PubsubName.ShouldBe("pubsub");
        request.Topic.ShouldBe("notices");
        request.DataContentType.ShouldBe("application/json");
        request.Metadata["cloudevent.type"].ShouldBe("proactive.delay.episode.v1");
        request.Metadata["cloudevent.id"].ShouldBe($"{Order}/1");
        request.Metadata["partitionKey"].ShouldBe(Order);
        var change = JsonParser.Default.Parse<DelayEpisodeChanged>(request.Data.ToStringUtf8());
        change.Kind.ShouldBe(DelayEpisodeChanged.Types.Kind.Detected);
        change.Reason.ShouldBe(DelayReason.EtaSlip);
        JsonNode.Parse(request.Data.ToStringUtf8())!["reason"]!.GetValue<string>().ShouldBe("ETA_SLIP");
        change.OrderId.ShouldBe(Order);
        change.Customer.Phone.ShouldBe(KoreanPhone);
    }

    [Fact]
    public async Task ADuplicateIsSuccessAndPublishesNothingMore()
    {
        foreach (var e in Scenario())
        {
            await daprd.OnTopicEventAsync(TopicOf(e), e);
        }

        await RelayAsync();
        foreach (var e in Scenario())
        {
            (await daprd.OnTopicEventAsync(TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        (await RelayAsync()).ShouldBe(0);
        sidecar.Published.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("phone not E.164")]
    [InlineData("unknown type")]
    [InlineData("data not JSON")]
    [InlineData("missing order id")]
    public async Task PoisonIsDropped(string why)
    {
        var e = OrderPlaced("P-1", Now, Promise);
        switch (why)
        {
            case "phone not E.164": e["data"]!["customer"]!["phone"] = "010-1234"; break;
            case "unknown type": e["type"] = "com.example.unknown"; break;
            case "data not JSON": e["data"] = "{not json"; break;
            default: e["data"]!.AsObject().Remove("orderId"); break;
        }

        (await daprd.OnTopicEventAsync("orders", e)).Status.ShouldBe(Status.Drop, why);
    }

    public static TheoryData<string> Hostile => new(HostileEvents.Whys.Where(why => !HostileEvents.Named(why, Now).JsonOnly));

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task EveryHostileEventIsDroppedNeverRetriedAndTheNextOrdinaryOneIsProcessed(string why)
    {
        var hostile = HostileEvents.Named(why, Now);

        (await daprd.OnTopicEventAsync(hostile.Topic, hostile.ToDapr())).Status.ShouldBe(Status.Drop, why);

        using var http = new HttpClient();
        using (var stored = await http.GetAsync($"{tracker.HttpAddress}/v1/orders/{HostileEvents.OrderId}", TestContext.Current.CancellationToken))
        {
            ((int)stored.StatusCode).ShouldBe(404, why);
        }

        (await daprd.OnTopicEventAsync("orders", OrderPlaced("OK-1", Now.AddHours(-1), Promise))).Status.ShouldBe(Status.Success, why);
    }

    [Fact]
    public async Task DataThatIsNotUtf8IsDropped()
    {
        var e = daprd.CloudEvent("orders", OrderPlaced("U-1", Now, Promise));
        e.Data = ByteString.CopyFrom([.. "{\"orderId\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

        (await daprd.OnTopicEventAsync("orders", e)).Status.ShouldBe(Status.Drop);
    }

    [Fact]
    public async Task ABulkDeliveryOfHostileAndOrdinaryEntriesAnswersEachOnItsOwn()
    {
        var hostile = HostileEvents.Around(Now).Where(h => h.Topic == "orders" && !h.JsonOnly).ToList();
        var entries = new List<TopicEventCERequest> { daprd.CloudEvent("orders", OrderPlaced("BK-1", Now.AddHours(-1), Promise, id: "bk-1")) };
        entries.AddRange(hostile.Select(h => h.ToDapr()));
        entries.Add(daprd.CloudEvent("orders", OrderPlaced("BK-2", Now.AddHours(-1), Promise, id: "bk-2")));

        var response = await daprd.OnBulkTopicEventAsync("orders", entries);

        response.Statuses.Select(s => s.EntryId).ShouldBe(entries.Select((_, n) => $"entry-{n}"));
        response.Statuses.Select(s => s.Status).ShouldBe([Status.Success, .. hostile.Select(_ => Status.Drop), Status.Success]);
        using var http = new HttpClient();
        foreach (var order in new[] { "BK-1", "BK-2" })
        {
            (await http.GetFromJsonAsync<JsonElement>($"{tracker.HttpAddress}/v1/orders/{order}", TestContext.Current.CancellationToken))
                .GetProperty("state").GetString().ShouldBe("on_track");
        }
    }

    [Fact]
    public async Task TheClockSkewIsJudgedByTheTrackersOwnClock()
    {
        var ahead = OrderPlaced("F-1", Now.AddDays(2), Now.AddDays(5), id: "f-1");

        (await daprd.OnTopicEventAsync("orders", ahead)).Status.ShouldBe(Status.Drop);
        time.Advance(TimeSpan.FromDays(1));
        (await daprd.OnTopicEventAsync("orders", ahead)).Status.ShouldBe(Status.Success);
    }

    [Fact]
    public async Task TheTrackerBoundsAreConfiguredAndValidatedAtStart()
    {
        await using (var lenient = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?> { ["Proactive:Ingest:MaxClockSkew"] = "3.00:00:00" }))
        {
            using var client = new StandInDaprd(lenient.AppAddress);
            (await client.OnTopicEventAsync("orders", OrderPlaced("F-2", Now.AddDays(2), Now.AddDays(5)))).Status.ShouldBe(Status.Success);
        }

        var failure = await Should.ThrowAsync<Exception>(async () =>
        {
            await using var misconfigured = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?> { ["Proactive:Ingest:MaxHorizon"] = "00:00:00" });
            using var client = new StandInDaprd(misconfigured.AppAddress);
            await client.ListTopicSubscriptionsAsync();
        });
        failure.ToString().ShouldContain("Proactive:Ingest:MaxHorizon");
    }

    [Fact]
    public async Task AnEventOnATopicWeDoNotHandleIsDroppedNotUnimplemented()
    {
        (await daprd.OnTopicEventAsync("payments", OrderPlaced("P-1", Now, Promise))).Status.ShouldBe(Status.Drop);
    }

    [Fact]
    public async Task AStoreThatCannotBeWrittenIsRetry()
    {
        await using var locked = DaprServiceHost<TrackerProgram>.Start(sidecar, time, databaseTimeoutSeconds: 1);
        using var client = new StandInDaprd(locked.AppAddress);
        (await client.ListTopicSubscriptionsAsync()).Subscriptions.Count.ShouldBe(4);
        await using (var blocker = new SqliteConnection($"Data Source={locked.DatabasePath};Pooling=False"))
        {
            await blocker.OpenAsync(TestContext.Current.CancellationToken);
            using var hold = blocker.CreateCommand();
            hold.CommandText = "BEGIN EXCLUSIVE";
            await hold.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);

            (await client.OnTopicEventAsync("orders", OrderPlaced("R-1", Now, Promise))).Status.ShouldBe(Status.Retry);
        }

        (await client.OnTopicEventAsync("orders", OrderPlaced("R-1", Now, Promise, id: "r-1"))).Status.ShouldBe(Status.Success);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABulkDeliveryAnswersEveryEntryWithItsOwnStatus(bool alpha)
    {
        var bad = Tracking(Order, "S-9001", Now, "TELEPORTED");
        var events = Scenario();

        var response = await daprd.OnBulkTopicEventAsync("shipments", [events[1], bad, events[2]], alpha);

        response.Statuses.Select(s => (s.EntryId, s.Status)).ShouldBe(
            [("entry-0", Status.Success), ("entry-1", Status.Drop), ("entry-2", Status.Success)]);
    }

    [Fact]
    public async Task WithAnAppApiTokenDeliveriesWithoutItAreRefusedButSubscriptionsAndHealthAnswerAsDaprdCallsThem()
    {
        await using var guarded = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?> { ["APP_API_TOKEN"] = "s3cret" });
        using var anonymous = new StandInDaprd(guarded.AppAddress);
        using var wrong = new StandInDaprd(guarded.AppAddress, apiToken: "guess");
        using var right = new StandInDaprd(guarded.AppAddress, apiToken: "s3cret");

        // daprd sends no token on these two (pkg/runtime/pubsub/subscriptions.go, grpc_channel.go HealthProbe).
        (await anonymous.ListTopicSubscriptionsAsync()).Subscriptions.ShouldNotBeEmpty();
        await anonymous.HealthCheckAsync();

        // Delivery carries it (Dapr >= 1.16.2): without it, or with another one, nothing is stored.
        (await Should.ThrowAsync<RpcException>(() => anonymous.OnTopicEventAsync("orders", OrderPlaced("T-1", Now, Promise)))).StatusCode.ShouldBe(StatusCode.Unauthenticated);
        (await Should.ThrowAsync<RpcException>(() => anonymous.OnBulkTopicEventAsync("orders", [OrderPlaced("T-1", Now, Promise)]))).StatusCode.ShouldBe(StatusCode.Unauthenticated);
        (await Should.ThrowAsync<RpcException>(() => anonymous.OnBulkTopicEventAsync("orders", [OrderPlaced("T-1", Now, Promise)], alpha: true))).StatusCode.ShouldBe(StatusCode.Unauthenticated);
        (await Should.ThrowAsync<RpcException>(() => wrong.OnTopicEventAsync("orders", OrderPlaced("T-1", Now, Promise)))).StatusCode.ShouldBe(StatusCode.Unauthenticated);
        using (var before = new HttpClient())
        {
            (await before.GetAsync($"{guarded.HttpAddress}/v1/orders/T-1", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        }

        (await right.OnTopicEventAsync("orders", OrderPlaced("T-1", Now, Promise))).Status.ShouldBe(Status.Success);

        using var http = new HttpClient();
        (await http.GetAsync($"{guarded.HttpAddress}/v1/orders/T-1", TestContext.Current.CancellationToken)).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Fact]
    public async Task TheTraceFromTheEventContinuesIntoThePublish()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var events = Scenario();
        foreach (var e in events)
        {
            e["traceparent"] = $"00-{traceId}-00f067aa0ba902b7-01";
        }

        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Proactive",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        foreach (var e in events)
        {
            await daprd.OnTopicEventAsync(TopicOf(e), e);
        }

        await RelayAsync();

        var (_, headers) = sidecar.Published.ShouldHaveSingleItem();
        headers["traceparent"].ToString().ShouldContain(traceId);
    }

    [Fact]
    public async Task HealthAnswersOnBothProbes()
    {
        await daprd.HealthCheckAsync();
        var health = await new Health.HealthClient(daprd.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.Current.CancellationToken);
        health.Status.ShouldBe(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);

        using var http = new HttpClient();
        (await http.GetAsync($"{tracker.HttpAddress}/healthz", TestContext.Current.CancellationToken)).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Fact]
    public async Task TheOrderViewIsServedAsJsonOnTheHttpPort()
    {
        foreach (var e in Scenario())
        {
            await daprd.OnTopicEventAsync(TopicOf(e), e);
        }

        using var http = new HttpClient();
        var order = await http.GetFromJsonAsync<JsonElement>($"{tracker.HttpAddress}/v1/orders/{Order}", TestContext.Current.CancellationToken);

        order.GetProperty("delay").GetProperty("reason").GetString().ShouldBe("ETA_SLIP");
    }

    [Fact]
    public Task AnEventItsHandlerFailsOnIsHeldAndRetriedWithBackoffThenParkedAndTheNextEventGoesOn() =>
        HeldEventIsRetriedThenParkedAsync(tracker, daprd, time);

    [Fact]
    public async Task OnPostgresAnEventItsHandlerFailsOnIsHeldAndRetriedWithBackoffThenParked()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var onPostgres = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Store"] = "Postgres",
            ["ConnectionStrings:Proactive"] = database,
        });
        using var client = new StandInDaprd(onPostgres.AppAddress);
        await HeldEventIsRetriedThenParkedAsync(onPostgres, client, time);
    }

    private static async Task HeldEventIsRetriedThenParkedAsync(DaprServiceHost<TrackerProgram> tracker, StandInDaprd daprd, FakeTimeProvider time)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = tracker.Services.GetRequiredService<Database>();
        var retry = tracker.Services.GetRequiredService<HeldEventRetry>();
        using var http = new ServiceHttp(tracker.HttpAddress);
        (await daprd.OnTopicEventAsync("orders", OrderPlaced("P-1", Now, Promise, id: "p-1-placed"))).Status.ShouldBe(Status.Success);
        await db.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                """
                INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload)
                VALUES ('poison', 'p-1', 'P-1', 'proactive.order.updated.v1', 0, 0, '{"promisedBy": "not a time"}');
                UPDATE tracker_orders SET timeline = NULL WHERE order_id = 'P-1';
                """,
                transaction: tx),
            ct);
        Task<long> StoredAsync(string eventId) => db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tracker_events WHERE event_id = @eventId", new { eventId }), ct);

        // Held and answered SUCCESS (not RETRY, which would hold the partition), and the next event goes on.
        (await daprd.OnTopicEventAsync("shipments", Tracking("P-1", "S-1", Now, "IN_TRANSIT", Promise.AddDays(2), id: "p-1-tracking"))).Status.ShouldBe(Status.Success);
        (await daprd.OnTopicEventAsync("orders", OrderPlaced("Q-1", Now, Promise, id: "q-1-placed"))).Status.ShouldBe(Status.Success);
        (await StoredAsync("q-1-placed")).ShouldBe(1);
        (await StoredAsync("p-1-tracking")).ShouldBe(0);

        // Retried after 10 s, 20 s, 40 s and 80 s (the defaults), parked at the fifth failure, then left alone.
        (await retry.RetryDueAsync(ct)).ShouldBe(0);
        foreach (var seconds in new[] { 10, 20, 40, 80 })
        {
            time.Advance(TimeSpan.FromSeconds(seconds - 1));
            (await retry.RetryDueAsync(ct)).ShouldBe(0);
            time.Advance(TimeSpan.FromSeconds(1));
            (await retry.RetryDueAsync(ct)).ShouldBe(1);
        }

        time.Advance(TimeSpan.FromHours(1));
        (await retry.RetryDueAsync(ct)).ShouldBe(0);
        var parked = (await http.ParkedAsync()).ShouldHaveSingleItem();
        parked.GetProperty("queue").GetString().ShouldBe("inbound.shipments");
        parked.GetProperty("orderId").GetString().ShouldBe("P-1");
        parked.GetProperty("itemKey").GetString().ShouldBe("carrier-gateway/p-1-tracking");
        parked.GetProperty("attempts").GetInt32().ShouldBe(5);
        var (status, queues) = await http.HealthAsync();
        status.ShouldBe("Degraded");
        queues.ShouldContain("inbound.shipments: 1 parked");

        await db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM tracker_events WHERE source = 'poison'", transaction: tx), ct);
        (await http.RetryAsync(parked.GetProperty("id").GetInt64())).ShouldBe(1);
        (await retry.RetryDueAsync(ct)).ShouldBe(1);

        (await StoredAsync("p-1-tracking")).ShouldBe(1);
        (await http.ParkedAsync()).ShouldBeEmpty();
        (await http.HealthAsync()).Status.ShouldBe("Healthy");
    }
}
