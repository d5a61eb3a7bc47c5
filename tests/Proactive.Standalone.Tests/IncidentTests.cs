using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier;
using Proactive.Notifier.Incidents;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;
using CarrierExceptionCode = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;

namespace Proactive.Standalone.Tests;

/// <summary>Incidents from Tracker's news to the one alert, in the standalone host: on SQLite.</summary>
public sealed class IncidentTestsOnSqlite : IncidentTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class IncidentTestsOnPostgres : IncidentTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// Many delays with one cause within an hour make one incident and one alert (one chat POST, one
/// mail to the CX team); fewer, or spread over groups, make none; a quiet hour resolves it. News is
/// handed to Notifier as Tracker publishes it; the sweep and the alerter are run by hand.
/// </summary>
public abstract class IncidentTests : IAsyncLifetime
{
    public const string CxEmail = "cx-team@shop.example";
    private static readonly DateTimeOffset Promise = StandaloneHost.Start.AddDays(2);

    private StandaloneHost host = null!;
    private FakeChatWebhook chat = null!;

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => chat = await FakeChatWebhook.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await chat.DisposeAsync();
    }

    private async Task StartAsync(params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Proactive:Incidents:WebhookUrl"] = chat.Url,
            ["Proactive:Incidents:AlertEmail"] = CxEmail,
            ["Proactive:Incidents:RunBackgroundWork"] = "false",
        };
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        host = await StandaloneHost.StartAsync(store: Store, settings: config);
    }

    private IncidentSweep Sweep => host.Services.GetRequiredService<IncidentSweep>();

    private IncidentAlerter Alerter => host.Services.GetRequiredService<IncidentAlerter>();

    private IEnumerable<SentMail> CxMails => host.SendGrid.Mails.Where(m => m.To == CxEmail);

    private static DelayEpisodeChanged Change(
        string orderId, DateTimeOffset at, string region, string carrier = "CJ Logistics", DelayReason reason = DelayReason.CarrierException,
        CarrierExceptionCode code = CarrierExceptionCode.Weather, long sequence = 1, bool recordOnly = false, bool shipTo = true) => new()
        {
            OrderId = orderId,
            EpisodeId = $"{orderId}/delay-1",
            Sequence = sequence,
            Kind = sequence == 1 ? DelayEpisodeChanged.Types.Kind.Detected : DelayEpisodeChanged.Types.Kind.Worsened,
            Reason = reason,
            ExceptionCode = code,
            PromisedBy = Timestamp.FromDateTimeOffset(Promise),
            EstimatedDeliveryAt = Timestamp.FromDateTimeOffset(Promise.AddDays(2)),
            OccurredAt = Timestamp.FromDateTimeOffset(at),
            Customer = new Contracts.Events.V1.Customer
            {
                CustomerId = $"C-{orderId}",
                Name = "김민지",
                Phone = KoreanPhone,
                Email = KoreanEmail,
                Locale = "ko-KR",
                TimeZone = "Asia/Seoul",
            },
            TrackingUrl = $"https://shop.example/orders/{orderId}",
            Carrier = carrier,
            RecordOnly = recordOnly,
            ShipTo = shipTo ? new Contracts.Events.V1.Address { Country = "KR", Region = region } : null,
            ShipFrom = new Contracts.Events.V1.Address { Country = "KR", Region = "KR-41" },
        };

    private async Task HandleAsync(DelayEpisodeChanged change) =>
        (await host.Services.GetRequiredService<DelayEpisodeHandler>().HandleAsync("proactive-tracker", $"{change.OrderId}/{change.Sequence}", change, Ct))
            .ShouldBe(NewsOutcome.Decided);

    /// <summary><paramref name="orders"/> delays, one every 90 seconds (30 in 45 minutes), each followed by a sweep and the alerter as their loops would run.</summary>
    private async Task DelaysAsync(int orders, string region, string prefix = "A", Func<int, DelayEpisodeChanged, DelayEpisodeChanged>? shape = null)
    {
        for (var i = 1; i <= orders; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(90));
            var change = Change($"{prefix}-{i:00}", host.Time.GetUtcNow(), region);
            await HandleAsync(shape?.Invoke(i, change) ?? change);
            await RunAsync();
        }
    }

    private async Task<(int Opened, int Resolved)> RunAsync()
    {
        var swept = await Sweep.SweepAsync(Ct);
        while (await Alerter.SendDueAsync(Ct) > 0)
        {
        }

        return swept;
    }

    private async Task<JsonElement> IncidentsAsync(string query = "") =>
        (await host.Client.GetFromJsonAsync<JsonElement>($"/v1/incidents{query}", Ct)).GetProperty("incidents");

    private Task<JsonElement> IncidentAsync(string id) => host.Client.GetFromJsonAsync<JsonElement>($"/v1/incidents/{id}", Ct);

    [Fact]
    public async Task ThirtyDelaysOfOneCarrierInOneRegionWithinAnHourOpenOneIncidentAndSendOneAlert()
    {
        await StartAsync();

        await DelaysAsync(30, "KR-11");

        var incident = (await IncidentsAsync()).EnumerateArray().ShouldHaveSingleItem();
        incident.GetProperty("status").GetString().ShouldBe("open");
        incident.GetProperty("orderCount").GetInt32().ShouldBe(30);
        incident.GetProperty("dimensions").EnumerateArray().Select(d => (d.GetProperty("name").GetString(), d.GetProperty("value").GetString()))
            .ShouldBe([("carrier", "CJ Logistics"), ("destination", "KR-11")]);
        incident.GetProperty("alerts").EnumerateArray().Select(a => (a.GetProperty("channel").GetString(), a.GetProperty("status").GetString()))
            .ShouldBe([("email", "sent"), ("webhook", "sent")]);

        var post = chat.Accepted.ShouldHaveSingleItem();
        chat.Requests.ShouldBe(1);
        post.EnumerateObject().Select(p => p.Name).ShouldBe(["text"]);
        var text = post.GetProperty("text").GetString()!;
        var id = incident.GetProperty("incidentId").GetString()!;
        text.ShouldContain("20 delayed orders within 1 h");
        text.ShouldContain("carrier CJ Logistics, destination KR-11");
        text.ShouldContain("top causes: WEATHER 20");
        text.ShouldContain($"GET /v1/incidents/{id}");
        foreach (var personal in new[] { KoreanPhone, KoreanEmail, "김민지", "C-A-" })
        {
            text.ShouldNotContain(personal);
        }

        var mail = CxMails.ShouldHaveSingleItem();
        mail.Text.ShouldBe(text);
        mail.Subject.ShouldContain("CJ Logistics");

        // The sweep and the alerter again, later: nothing more.
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await RunAsync();
        chat.Requests.ShouldBe(1);
        CxMails.Count().ShouldBe(1);
    }

    [Fact]
    public async Task NineteenDelaysOpenNoIncident()
    {
        await StartAsync();

        await DelaysAsync(19, "KR-11");

        (await IncidentsAsync()).GetArrayLength().ShouldBe(0);
        chat.Requests.ShouldBe(0);
        CxMails.ShouldBeEmpty();
    }

    [Fact]
    public async Task ThirtyDelaysSplitOverTwoRegionsOpenNoIncident()
    {
        await StartAsync();

        await DelaysAsync(30, "KR-11", shape: (i, c) => i % 2 == 0 ? c.With(c => c.ShipTo.Region = "KR-26") : c);

        (await IncidentsAsync()).GetArrayLength().ShouldBe(0);
        chat.Requests.ShouldBe(0);
        CxMails.ShouldBeEmpty();
    }

    [Fact]
    public async Task DelaysWithoutADestinationAreNotGrouped()
    {
        await StartAsync();

        await DelaysAsync(30, "KR-11", shape: (_, c) => c.With(c => c.ShipTo = null));

        (await IncidentsAsync()).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AQuietHourLaterTheIncidentIsResolvedWithoutASecondAlert()
    {
        await StartAsync();
        await DelaysAsync(30, "KR-11");

        // 37 minutes on, 16 orders remain in the window: below MinOrders (20) but not below ResolveBelow (10): still open.
        host.Time.Advance(TimeSpan.FromMinutes(37));
        (await RunAsync()).ShouldBe((0, 0));
        (await IncidentsAsync("?status=open")).GetArrayLength().ShouldBe(1);

        host.Time.Advance(TimeSpan.FromMinutes(24));
        (await RunAsync()).ShouldBe((0, 1));

        (await IncidentsAsync("?status=open")).GetArrayLength().ShouldBe(0);
        var resolved = (await IncidentsAsync("?status=resolved")).EnumerateArray().ShouldHaveSingleItem();
        resolved.GetProperty("status").GetString().ShouldBe("resolved");
        resolved.GetProperty("resolvedAt").GetDateTimeOffset().ShouldBe(host.Time.GetUtcNow());
        resolved.GetProperty("orderCount").GetInt32().ShouldBe(30);
        chat.Requests.ShouldBe(1);
        CxMails.Count().ShouldBe(1);

        // A new burst after resolution is a new incident, with its own alert.
        await DelaysAsync(20, "KR-11", prefix: "B");
        (await IncidentsAsync()).GetArrayLength().ShouldBe(2);
        chat.Accepted.Count.ShouldBe(2);
    }

    [Fact]
    public async Task AWebhookServerErrorIsRetriedAndTheAlertDeliveredOnce()
    {
        await StartAsync();
        chat.ReplyStatus(500);

        await DelaysAsync(20, "KR-11");

        chat.Requests.ShouldBe(1);
        chat.Accepted.ShouldBeEmpty();
        var id = (await IncidentsAsync())[0].GetProperty("incidentId").GetString()!;
        var webhook = (await IncidentAsync(id)).GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("channel").GetString() == "webhook");
        webhook.GetProperty("status").GetString().ShouldBe("pending");
        webhook.GetProperty("attempts").GetInt32().ShouldBe(1);
        webhook.GetProperty("lastError").GetString().ShouldBe("HTTP 500");

        // Not before the backoff.
        await RunAsync();
        chat.Requests.ShouldBe(1);

        host.Time.Advance(IncidentAlerter.Backoff(1));
        await RunAsync();
        host.Time.Advance(TimeSpan.FromHours(1));
        await RunAsync();

        chat.Requests.ShouldBe(2);
        chat.Accepted.Count.ShouldBe(1);
        CxMails.Count().ShouldBe(1);
        webhook = (await IncidentAsync(id)).GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("channel").GetString() == "webhook");
        webhook.GetProperty("status").GetString().ShouldBe("sent");
        webhook.GetProperty("attempts").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task AWebhookClientErrorFailsTheAlertWithoutRetrying()
    {
        await StartAsync();
        chat.ReplyStatus(404);

        await DelaysAsync(20, "KR-11");
        host.Time.Advance(TimeSpan.FromHours(2));
        await RunAsync();

        chat.Requests.ShouldBe(1);
        var id = (await IncidentsAsync())[0].GetProperty("incidentId").GetString()!;
        var alerts = (await IncidentAsync(id)).GetProperty("alerts").EnumerateArray().ToDictionary(a => a.GetProperty("channel").GetString()!, a => a.GetProperty("status").GetString());
        alerts["webhook"].ShouldBe("failed");
        alerts["email"].ShouldBe("sent");
    }

    [Fact]
    public async Task ForecastsAreNotCountedUntilALaterNewsConfirmsTheDelay()
    {
        await StartAsync();

        await DelaysAsync(30, "KR-11", shape: (i, c) => c.With(c => (c.Reason, c.ExceptionCode, c.RecordOnly) = (i % 2 == 0 ? DelayReason.PredictedLate : DelayReason.PromiseAtRisk, CarrierExceptionCode.Unspecified, i % 3 == 0)));
        (await IncidentsAsync()).GetArrayLength().ShouldBe(0);

        // Confirmed by a carrier exception (a later news of the same episode): now they count, once each.
        for (var i = 1; i <= 20; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(10));
            await HandleAsync(Change($"A-{i:00}", host.Time.GetUtcNow(), "KR-11", sequence: 2));
            await HandleAsync(Change($"A-{i:00}", host.Time.GetUtcNow(), "KR-11", sequence: 3, code: CarrierExceptionCode.Lost));
        }

        await RunAsync();
        var incident = (await IncidentsAsync()).EnumerateArray().ShouldHaveSingleItem();
        incident.GetProperty("orderCount").GetInt32().ShouldBe(20);
        incident.GetProperty("causes").EnumerateArray().Select(c => (c.GetProperty("cause").GetString(), c.GetProperty("orders").GetInt32())).ShouldBe([("WEATHER", 20)]);
    }

    [Fact]
    public async Task TheApiShowsTheIncidentWithItsAffectedOrders()
    {
        await StartAsync();
        var first = host.Time.GetUtcNow().AddSeconds(90);

        await DelaysAsync(30, "KR-11", shape: (i, c) => i > 25 ? c.With(c => c.ExceptionCode = CarrierExceptionCode.Unspecified) : c);

        var id = (await IncidentsAsync())[0].GetProperty("incidentId").GetString()!;
        var incident = await IncidentAsync(id);
        incident.GetProperty("incidentId").GetString().ShouldBe(id);
        incident.GetProperty("apiPath").GetString().ShouldBe($"/v1/incidents/{id}");
        incident.GetProperty("orderCount").GetInt32().ShouldBe(30);
        incident.GetProperty("firstSeenAt").GetDateTimeOffset().ShouldBe(first);
        incident.GetProperty("lastSeenAt").GetDateTimeOffset().ShouldBe(host.Time.GetUtcNow());
        incident.GetProperty("openedAt").GetDateTimeOffset().ShouldBe(first.AddSeconds(90 * 19));
        incident.TryGetProperty("resolvedAt", out _).ShouldBeFalse();
        incident.GetProperty("causes").EnumerateArray().Select(c => (c.GetProperty("cause").GetString(), c.GetProperty("orders").GetInt32()))
            .ShouldBe([("WEATHER", 25), ("CARRIER_EXCEPTION", 5)]);
        var orders = incident.GetProperty("affectedOrders").EnumerateArray().ToList();
        orders.Count.ShouldBe(30);
        orders[0].GetProperty("orderId").GetString().ShouldBe("A-01");
        orders[0].GetProperty("episodeId").GetString().ShouldBe("A-01/delay-1");
        orders[0].GetProperty("reason").GetString().ShouldBe("CARRIER_EXCEPTION");
        orders[0].GetProperty("exceptionCode").GetString().ShouldBe("WEATHER");
        orders[0].GetProperty("lane").GetString().ShouldBe("KR-41>KR-11");
        orders[0].GetProperty("seenAt").GetDateTimeOffset().ShouldBe(first);
        orders[29].GetProperty("orderId").GetString().ShouldBe("A-30");
        orders[29].GetProperty("reason").GetString().ShouldBe("CARRIER_EXCEPTION");
        (orders[29].TryGetProperty("exceptionCode", out var none) ? none.GetString() : "").ShouldBe("");

        // The list leaves the orders out.
        ((await IncidentsAsync())[0].TryGetProperty("affectedOrders", out var listed) ? listed.GetArrayLength() : 0).ShouldBe(0);
    }

    [Fact]
    public async Task TheListIsNewestFirstAPageAtATimeAndRefusesBadInput()
    {
        await StartAsync();
        await DelaysAsync(20, "KR-11");
        await DelaysAsync(20, "KR-26", prefix: "B");

        var page = await host.Client.GetFromJsonAsync<JsonElement>("/v1/incidents?pageSize=1", Ct);
        var newest = page.GetProperty("incidents").EnumerateArray().ShouldHaveSingleItem();
        newest.GetProperty("dimensions")[1].GetProperty("value").GetString().ShouldBe("KR-26");
        var token = page.GetProperty("nextPageToken").GetString();
        var next = await host.Client.GetFromJsonAsync<JsonElement>($"/v1/incidents?pageSize=1&pageToken={token}", Ct);
        next.GetProperty("incidents").EnumerateArray().ShouldHaveSingleItem().GetProperty("dimensions")[1].GetProperty("value").GetString().ShouldBe("KR-11");
        (next.TryGetProperty("nextPageToken", out var last) ? last.GetString() : "").ShouldBe("");

        foreach (var (query, field) in new[] { ("?status=closed", "status"), ("?pageSize=501", "page_size"), ("?pageToken=bm9wZQ", "page_token") })
        {
            using var bad = await host.Client.GetAsync($"/v1/incidents{query}", Ct);
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain(field);
        }

        using var unknown = await host.Client.GetAsync("/v1/incidents/inc-nope", Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

internal static class ChangeExtensions
{
    public static DelayEpisodeChanged With(this DelayEpisodeChanged change, Action<DelayEpisodeChanged> edit)
    {
        var copy = change.Clone();
        edit(copy);
        return copy;
    }
}
