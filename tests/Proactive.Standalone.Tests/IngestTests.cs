using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>POST /v1/events/{topic}: what is accepted, what is refused and why, and that nothing else is affected.</summary>
public sealed class IngestTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = Now.AddDays(3);
    private StandaloneHost host = null!;

    // Room for a 20,000-character orderId (refused by the id limit, not the body limit), not for 30,000 bytes.
    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?> { ["Proactive:Ingest:MaxBodyBytes"] = "29000", ["Proactive:Ingest:MaxBatchEntries"] = "10" });

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    public static TheoryData<string, string, string> BadEvents => new()
    {
        { "unknown type", """{"specversion":"1.0","id":"b1","source":"s","type":"com.example.thing","data":{}}""", "type" },
        { "missing orderId", Spoil(e => e["data"]!.AsObject().Remove("orderId")), "data.orderId" },
        { "bad timestamp", Spoil(e => e["data"]!["occurredAt"] = "2026-13-45"), "data.occurredAt" },
        { "phone not E.164", Spoil(e => e["data"]!["customer"]!["phone"] = "010 1234 5678"), "data.customer.phone" },
        { "unknown time zone", Spoil(e => e["data"]!["customer"]!["timeZone"] = "Mars/Olympus"), "data.customer.timeZone" },
        { "missing id", Spoil(e => e.Remove("id")), "id" },
        { "not a CloudEvent", "[]", "event" },
    };

    private static string Spoil(Action<JsonObject> spoil)
    {
        var e = OrderPlaced("BAD-1", Now, Promise, id: "bad-event");
        spoil(e);
        return e.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task BadInputIs400NamingTheFieldAndStoresNothing(string why, string body, string field)
    {
        using var response = await host.PostRawAsync("orders", body, "application/cloudevents+json");

        ((int)response.StatusCode).ShouldBe(400, why);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"{why}: {problem}");
        using var order = await host.Client.GetAsync("/v1/orders/BAD-1", TestContext.Current.CancellationToken);
        ((int)order.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task BodyThatIsNotJsonIs400()
    {
        using var response = await host.PostRawAsync("orders", "{\"specversion\": ", "application/cloudevents+json");

        ((int)response.StatusCode).ShouldBe(400);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty("body", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task ABadEventDoesNotStopTheGoodOnesAroundIt()
    {
        await host.AcceptAsync(OrderPlaced("G-1", Now.AddHours(-2), Promise), ShipmentCreated("G-1", "S-1", Now.AddHours(-1), Promise.AddHours(-3)));
        using (var bad = await host.PostRawAsync("shipments", Tracking("G-1", "S-1", Now, "LOST_IN_SPACE", Promise.AddDays(2)).ToJsonString(), "application/cloudevents+json"))
        {
            ((int)bad.StatusCode).ShouldBe(400);
        }

        await host.AcceptAsync(Tracking("G-1", "S-1", Now, "IN_TRANSIT", Promise.AddDays(2)));
        await host.DrainAsync();

        host.Twilio.Messages.ShouldHaveSingleItem().To.ShouldBe(KoreanPhone);
    }

    [Fact]
    public async Task ABatchAcceptsTheValidEntriesAndSaysWhichWereRefused()
    {
        var badPhone = OrderPlaced("B-2", Now, Promise);
        badPhone["data"]!["customer"]!["phone"] = "12345";
        var placed = OrderPlaced("B-1", Now.AddHours(-1), Promise, id: "b1");

        using var response = await host.PostBatchAsync("orders", placed, badPhone, OrderCancelled("B-3", Now));

        ((int)response.StatusCode).ShouldBe(207);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        body.GetProperty("accepted").GetInt32().ShouldBe(2);
        body.GetProperty("refused").GetInt32().ShouldBe(1);
        var refused = body.GetProperty("results")[1];
        refused.GetProperty("index").GetInt32().ShouldBe(1);
        refused.GetProperty("status").GetString().ShouldBe("refused");
        refused.GetProperty("errors").TryGetProperty("data.customer.phone", out _).ShouldBeTrue();
        (await host.OrderAsync("B-1")).GetProperty("state").GetString().ShouldBe("on_track");

        using var again = await host.PostBatchAsync("orders", placed);
        ((int)again.StatusCode).ShouldBe(202);
        (await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("duplicates").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task ABatchOfOnlyBadEntriesIs400()
    {
        using var response = await host.PostBatchAsync("orders", JsonNode.Parse("""{"specversion":"1.0"}""")!);

        ((int)response.StatusCode).ShouldBe(400);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task AWrongContentTypeIs415(string contentType)
    {
        using var response = await host.PostRawAsync("orders", OrderPlaced("C-1", Now, Promise).ToJsonString(), contentType);

        ((int)response.StatusCode).ShouldBe(415);
    }

    [Fact]
    public async Task AnOversizeBodyIs413()
    {
        var big = OrderPlaced("C-1", Now, Promise);
        big["data"]!["notes"] = new string('x', 30_000);

        using var response = await host.PostAsync("orders", big);

        ((int)response.StatusCode).ShouldBe(413);
    }

    [Fact]
    public async Task ABatchOfMoreThanMaxBatchEntriesIsRefusedWholeNamingTheBody()
    {
        var entries = Enumerable.Range(0, 11).Select(i => (JsonNode)OrderPlaced($"M-{i}", Now, Promise)).ToArray();

        using var response = await host.PostBatchAsync("orders", entries);

        ((int)response.StatusCode).ShouldBe(400);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").GetProperty("body")[0].GetString()!.ShouldContain("MaxBatchEntries");
        using var order = await host.Client.GetAsync("/v1/orders/M-0", TestContext.Current.CancellationToken);
        ((int)order.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task AnUnknownTopicIs404()
    {
        using var response = await host.PostAsync("payments", OrderPlaced("C-1", Now, Promise));

        ((int)response.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task AnEventOnTheWrongTopicIsRefusedNamingTheType()
    {
        using var response = await host.PostAsync("shipments", OrderPlaced("C-1", Now, Promise));

        ((int)response.StatusCode).ShouldBe(400);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty("type", out _).ShouldBeTrue();
    }

    public static TheoryData<string> Hostile => new(HostileEvents.Whys);

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task EveryHostileEventIs400NamingTheFieldAndTheNextOrdinaryOneIsAccepted(string why)
    {
        var hostile = HostileEvents.Named(why, Now);

        using (var response = await host.PostRawAsync(hostile.Topic, hostile.Structured(), "application/cloudevents+json"))
        {
            ((int)response.StatusCode).ShouldBe(400, why);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            problem.GetProperty("errors").TryGetProperty(hostile.Field, out _).ShouldBeTrue($"{why}: {problem}");
        }

        using (var stored = await host.Client.GetAsync($"/v1/orders/{HostileEvents.OrderId}", TestContext.Current.CancellationToken))
        {
            ((int)stored.StatusCode).ShouldBe(404, why);
        }

        await host.AcceptAsync(OrderPlaced("OK-1", Now.AddHours(-1), Promise));
        (await host.OrderAsync("OK-1")).GetProperty("state").GetString().ShouldBe("on_track");
    }

    [Fact]
    public async Task ABodyThatIsNotUtf8Is400NamingTheBody()
    {
        var e = OrderPlaced("U-1", Now, Promise);
        e["data"]!["customer"]!["name"] = "NAME";
        var text = Encoding.UTF8.GetBytes(e.ToJsonString());
        var at = text.AsSpan().IndexOf("NAME"u8);
        text[at] = 0xC3;
        text[at + 1] = 0x28;
        using var content = new ByteArrayContent(text);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/cloudevents+json");

        using var response = await host.Client.PostAsync("/v1/events/orders", content, TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(400);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty("body", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task ABatchIsJudgedEntryByEntryAndSaysExactlyWhatWasStored()
    {
        var hostile = HostileEvents.Around(Now);
        string Entry(string why) => hostile.Single(h => h.Why == why).Structured();
        var body = "[" + string.Join(",",
            OrderPlaced("BB-1", Now.AddHours(-1), Promise, id: "bb-1").ToJsonString(),
            Entry("lone surrogate in the customer's name"),
            OrderPlaced("BB-2", Now.AddHours(-1), Promise, id: "bb-2").ToJsonString(),
            Entry("promisedBy given twice with clashing types"),
            Entry("dated 2099"),
            OrderPlaced("BB-1", Now.AddHours(-1), Promise, id: "bb-1").ToJsonString()) + "]";

        using var response = await host.PostRawAsync("orders", body, "application/cloudevents-batch+json");

        ((int)response.StatusCode).ShouldBe(207);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("duplicates").GetInt32(), answer.GetProperty("refused").GetInt32(),
            answer.GetProperty("throttled").GetInt32(), answer.GetProperty("failed").GetInt32()).ShouldBe((2, 1, 3, 0, 0));
        answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString())
            .ShouldBe(["accepted", "refused", "accepted", "refused", "refused", "duplicate"]);
        answer.GetProperty("results")[1].GetProperty("errors").TryGetProperty("data.customer.name", out _).ShouldBeTrue();
        answer.GetProperty("results")[4].GetProperty("errors").TryGetProperty("data.occurredAt", out _).ShouldBeTrue();
        (await host.OrderAsync("BB-1")).GetProperty("state").GetString().ShouldBe("on_track");
        (await host.OrderAsync("BB-2")).GetProperty("state").GetString().ShouldBe("on_track");
        using var refused = await host.Client.GetAsync($"/v1/orders/{HostileEvents.OrderId}", TestContext.Current.CancellationToken);
        ((int)refused.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task AnEventAsFarAheadAsTheClockSkewIsAccepted()
    {
        await host.AcceptAsync(OrderPlaced("K-1", Now.AddDays(1), Now.AddDays(4)));
    }

    [Fact]
    public async Task WhenTheStoreCannotBeWrittenEachEntrySaysSoAndNothingIsClaimed()
    {
        var database = Path.Combine(Path.GetTempPath(), "proactive-tests", $"{Guid.NewGuid():N}.db");
        await using var locked = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?> { ["ConnectionStrings:Proactive"] = $"Data Source={database};Default Timeout=1" });
        await using var blocker = new SqliteConnection($"Data Source={database};Pooling=False");
        await blocker.OpenAsync(TestContext.Current.CancellationToken);
        using (var hold = blocker.CreateCommand())
        {
            hold.CommandText = "BEGIN EXCLUSIVE";
            await hold.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var single = await locked.PostAsync("orders", OrderPlaced("L-1", Now, Promise));
        ((int)single.StatusCode).ShouldBe(503);
        single.Headers.RetryAfter.ShouldNotBeNull();

        using var batch = await locked.PostBatchAsync("orders", OrderPlaced("L-2", Now, Promise), OrderPlaced("L-3", Now, Promise));
        ((int)batch.StatusCode).ShouldBe(503);
        var answer = await batch.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("failed").GetInt32()).ShouldBe((0, 2));
        answer.GetProperty("results").EnumerateArray().ShouldAllBe(r => r.GetProperty("status").GetString() == "error");

        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var missing = await locked.Client.GetAsync("/v1/orders/L-2", TestContext.Current.CancellationToken);
        ((int)missing.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task HealthAnswers()
    {
        using var response = await host.Client.GetAsync("/healthz", TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task LivenessIsTheProcessAloneAndReadinessIncludesTheStore()
    {
        var live = await host.Client.GetFromJsonAsync<JsonElement>("/livez", TestContext.Current.CancellationToken);
        var ready = await host.Client.GetFromJsonAsync<JsonElement>("/healthz", TestContext.Current.CancellationToken);

        live.GetProperty("status").GetString().ShouldBe("Healthy");
        live.GetProperty("checks").EnumerateObject().ShouldBeEmpty();
        ready.GetProperty("checks").GetProperty("store").GetProperty("status").GetString().ShouldBe("Healthy");
    }
}
