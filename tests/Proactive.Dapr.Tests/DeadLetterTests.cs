using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// The dead-letter topics have an owner: what daprd puts there comes back to the service that
/// subscribed to the topic, is kept with the reason, listed, counted in /healthz, and replayed.
/// </summary>
public sealed class DeadLetterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));

    private readonly FakeTimeProvider time = new(Now);
    private FakeSidecar sidecar = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => sidecar = await FakeSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await sidecar.DisposeAsync();

    [Fact]
    public async Task OnSqliteDeadLettersAreKeptWithTheirReasonListedAndReplayed()
    {
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time);
        await DeadLettersAreKeptListedAndReplayedAsync(tracker);
    }

    [Fact]
    public async Task OnPostgresDeadLettersAreKeptWithTheirReasonListedAndReplayed()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Store"] = "Postgres",
            ["ConnectionStrings:Proactive"] = database,
        });
        await DeadLettersAreKeptListedAndReplayedAsync(tracker);
    }

    private static async Task DeadLettersAreKeptListedAndReplayedAsync(DaprServiceHost<TrackerProgram> tracker)
    {
        using var daprd = new StandInDaprd(tracker.AppAddress);
        using var http = new HttpClient { BaseAddress = new Uri(tracker.HttpAddress) };
        using var service = new ServiceHttp(tracker.HttpAddress);

        // daprd dead-letters a DROP (bad input) and, with the old policy, what it gave up retrying.
        var bad = Tracking("D-1", "S-1", Now, "TELEPORTED", id: "d-1-bad");
        var givenUp = OrderPlaced("D-2", Now, Promise, id: "d-2-placed");
        (await daprd.OnTopicEventAsync("shipments", bad)).Status.ShouldBe(Status.Drop);
        (await daprd.OnTopicEventAsync("shipments-deadletter", bad)).Status.ShouldBe(Status.Success);
        (await daprd.OnTopicEventAsync("orders-deadletter", givenUp)).Status.ShouldBe(Status.Success);
        (await daprd.OnTopicEventAsync("orders-deadletter", givenUp)).Status.ShouldBe(Status.Success); // redelivered: still one

        var kept = await DeadLettersAsync(http);
        kept.Select(d => (d.GetProperty("topic").GetString(), d.GetProperty("orderId").GetString(), d.GetProperty("eventKey").GetString())).ShouldBe(
            [("shipments", "D-1", "carrier-gateway/d-1-bad"), ("orders", "D-2", "shop-orders/d-2-placed")], ignoreOrder: true);
        var refused = kept.Single(d => d.GetProperty("topic").GetString() == "shipments");
        refused.GetProperty("reason").GetString()!.ShouldContain("refused: ");
        refused.GetProperty("reason").GetString()!.ShouldContain("status");
        var notRefused = kept.Single(d => d.GetProperty("topic").GetString() == "orders");
        notRefused.GetProperty("reason").GetString()!.ShouldContain("daprd gave up");
        kept.ShouldAllBe(d => d.GetProperty("parked").GetBoolean());
        var (status, queues) = await service.HealthAsync();
        status.ShouldBe("Degraded");
        queues.ShouldContain("deadletter.orders: 1 parked");
        queues.ShouldContain("deadletter.shipments: 1 parked");
        ((int)(await http.GetAsync("/v1/orders/D-2", Ct)).StatusCode).ShouldBe(404);

        // Replayed: the one nothing was wrong with is handled and forgotten; the bad one stays, refused again.
        (await ReplayAsync(http, notRefused.GetProperty("id").GetInt64())).GetProperty("outcome").GetString().ShouldBe("handled");
        var again = await ReplayAsync(http, refused.GetProperty("id").GetInt64());
        again.GetProperty("outcome").GetString().ShouldBe("refused");
        again.GetProperty("reason").GetString()!.ShouldContain("status");

        ((int)(await http.GetAsync("/v1/orders/D-2", Ct)).StatusCode).ShouldBe(200);
        var left = (await DeadLettersAsync(http)).ShouldHaveSingleItem();
        left.GetProperty("eventKey").GetString().ShouldBe("carrier-gateway/d-1-bad");
        left.GetProperty("parked").GetBoolean().ShouldBeTrue();
        (await service.HealthAsync()).Queues.ShouldNotContain("deadletter.orders");
        ((int)(await http.PostAsync("/v1/dead-letters/999999/replay", null, Ct)).StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task KeptDeadLettersAreCountedForAnAlertByTopicQueue()
    {
        var exported = new List<Metric>();
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(
            sidecar, time, services: s => s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported)));
        using var daprd = new StandInDaprd(tracker.AppAddress);

        (await daprd.OnTopicEventAsync("shipments-deadletter", Tracking("D-4", "S-1", Now, "TELEPORTED", id: "d-4-bad"))).Status.ShouldBe(Status.Success);
        (await daprd.OnTopicEventAsync("shipments-deadletter", Tracking("D-5", "S-1", Now, "TELEPORTED", id: "d-5-bad"))).Status.ShouldBe(Status.Success);
        tracker.Services.GetRequiredService<MeterProvider>().ForceFlush();

        long Points(string name, bool gauge) => exported.Where(m => m.Name == name).Sum(m =>
        {
            long total = 0;
            foreach (ref readonly var point in m.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "queue" && Equals(tag.Value, "deadletter.shipments"))
                    {
                        total += gauge ? point.GetGaugeLastValueLong() : point.GetSumLong();
                    }
                }
            }

            return total;
        });
        Points("proactive.parked", gauge: true).ShouldBe(2);
        Points("proactive.queue.parked", gauge: false).ShouldBe(2);
    }

    [Fact]
    public async Task ADeadLetterThatCannotBeKeptIsRetryAndKeptOnTheRedelivery()
    {
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time, databaseTimeoutSeconds: 1);
        using var daprd = new StandInDaprd(tracker.AppAddress);
        using var http = new HttpClient { BaseAddress = new Uri(tracker.HttpAddress) };
        var bad = Tracking("D-3", "S-1", Now, "TELEPORTED", id: "d-3-bad");
        await using (var blocker = new SqliteConnection($"Data Source={tracker.DatabasePath};Pooling=False"))
        {
            await blocker.OpenAsync(Ct);
            using var hold = blocker.CreateCommand();
            hold.CommandText = "BEGIN EXCLUSIVE";
            await hold.ExecuteNonQueryAsync(Ct);

            (await daprd.OnTopicEventAsync("shipments-deadletter", bad)).Status.ShouldBe(Status.Retry);
        }

        (await daprd.OnTopicEventAsync("shipments-deadletter", bad)).Status.ShouldBe(Status.Success);
        (await DeadLettersAsync(http)).ShouldHaveSingleItem().GetProperty("orderId").GetString().ShouldBe("D-3");
    }

    [Fact]
    public async Task NotifierKeepsTheDeadLettersOfItsTopicAndListsOnlyItsOwn()
    {
        await using var notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, time);
        using var daprd = new StandInDaprd(notifier.AppAddress);
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        var strange = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "n-1",
            ["source"] = "tracker",
            ["type"] = "proactive.something.else.v1",
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject { ["orderId"] = "N-1" },
        };

        (await daprd.OnBulkTopicEventAsync("notices-deadletter", [strange])).Statuses.ShouldHaveSingleItem().Status.ShouldBe(Status.Success);

        var kept = (await DeadLettersAsync(http)).ShouldHaveSingleItem();
        kept.GetProperty("topic").GetString().ShouldBe("notices");
        kept.GetProperty("orderId").GetString().ShouldBe("N-1");
        kept.GetProperty("reason").GetString()!.ShouldContain("is not proactive.delay.episode.v1");
    }

    private static async Task<List<JsonElement>> DeadLettersAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/v1/dead-letters", Ct)).GetProperty("deadLetters").EnumerateArray().ToList();

    private static async Task<JsonElement> ReplayAsync(HttpClient http, long id)
    {
        using var response = await http.PostAsync($"/v1/dead-letters/{id}/replay", null, Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
