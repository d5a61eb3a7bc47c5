using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Proactive.Contracts;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Standalone.Demo;

/// <summary>
/// `--demo`: starts the host on a fresh database and feeds it a built-in scenario — a Korean
/// customer whose ETA slips past the promise, and an English one whose parcel hits a carrier
/// exception — then prints the notices as they are sent, shows a delivery receipt arriving for one
/// SMS (the demo standing in for Twilio), delivers the Korean order and answers its survey SMS
/// (standing in for the customer), and keeps serving for curl.
/// </summary>
public static class DemoScenario
{
    public const string Flag = "--demo";

    public const string KoreanOrder = "DEMO-KR-1001";
    public const string EnglishOrder = "DEMO-EN-2001";

    /// <summary>
    /// The demo runs on the real clock for customers in Seoul and London: quiet hours are off, so
    /// that it shows its SMS at any hour (the notices API would otherwise say "deferred"); its
    /// tracking links point at the demo shop's host, which it allows; its APIs answer without
    /// authentication (Proactive:Auth:Mode None).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Proactive:Notices:QuietHoursStart"] = "00:00",
        ["Proactive:Notices:QuietHoursEnd"] = "00:00",
        ["Proactive:Notices:AllowedLinkHosts:0"] = DemoShopHost,

        // So that curl works without a key; the host warns at start.
        ["Proactive:Auth:Mode"] = "None",
    };

    public const string DemoShopHost = "shop.example";

    private const string DemoDatabase = "data/demo.db";

    /// <summary>
    /// A fresh demo database and outbox, unless the user configured their own; no quiet hours;
    /// Twilio's webhooks open at the demo's own address (see <see cref="DemoDeliveryReceipt"/>).
    /// The old demo files are deleted only once this process holds the demo store's lock, so a
    /// second demo beside a running one stops with <see cref="StoreInUseException"/> and touches nothing.
    /// </summary>
    /// <summary>The folder of the replay report the demo's console shows (copied next to the host's assembly).</summary>
    public static string ReplayReportsFolder => Path.Combine(AppContext.BaseDirectory, "Demo", "replay-reports");

    public static void UseDemoDefaults(this WebApplicationBuilder builder)
    {
        var defaults = new Dictionary<string, string?>(Settings);
        if (builder.Configuration.GetConnectionString("Proactive") is null)
        {
            var storeLock = StoreFileLock.Acquire(DemoDatabase);
            builder.Services.AddSingleton(storeLock);
            foreach (var file in new[] { DemoDatabase, $"{DemoDatabase}-wal", $"{DemoDatabase}-shm", "data/demo-outbox.jsonl" }.Where(File.Exists))
            {
                File.Delete(file);
            }

            defaults["ConnectionStrings:Proactive"] = $"Data Source={DemoDatabase}";
            defaults["Proactive:Dispatch:OutboxPath"] = "data/demo-outbox.jsonl";
        }

        foreach (var (key, value) in DemoDeliveryReceipt.Defaults(builder.Configuration))
        {
            defaults[key] = value;
        }

        // Three Royal Mail parcels stuck in the flooded depot make one incident for the console.
        defaults["Proactive:Incidents:GroupBy"] = "carrier";
        defaults["Proactive:Incidents:MinOrders"] = "3";
        defaults["Proactive:Incidents:PollInterval"] = "00:00:02";

        // The console's Backtest page shows the replay report shipped next to the host (a synthetic
        // history run through the real replay command, scripts/demo-replay-report.sh): the demo's own
        // four orders are too few for the model to speak. An absolute path, so that it is found from
        // whatever folder the demo is started in.
        if (builder.Configuration["Proactive:Console:ReplayReports"] is not { Length: > 0 })
        {
            defaults["Proactive:Console:ReplayReports"] = ReplayReportsFolder;
        }

        // The CX console asks for a sign-in even here: a key minted for this run, printed at start.
        var login = new DemoLogin(ApiKey.Mint());
        builder.Services.AddSingleton(login);
        defaults[$"Proactive:Auth:ApiKeys:{DemoLogin.Name}:Hash"] = ApiKey.Hash(login.Key);
        defaults[$"Proactive:Auth:ApiKeys:{DemoLogin.Name}:Scopes"] = DemoLogin.Scopes;

        builder.Configuration.AddInMemoryCollection(defaults);
    }

    public static async Task RunAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.StartAsync(cancellationToken);
        var address = HttpAddress(app);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var time = app.Services.GetRequiredService<TimeProvider>();

        var login = app.Services.GetRequiredService<DemoLogin>();
        Console.WriteLine(
            $"""
            CX console: {address}/console
              sign in with the API key {login.Key}
              (minted for this run, scopes {DemoLogin.Scopes})

            """);
        Console.WriteLine($"Proactive demo on {address}: posting a Korean and an English order whose deliveries go wrong.{Environment.NewLine}");
        foreach (var (topic, cloudEvent) in Events(time.GetUtcNow()).Concat(IncidentEvents(time.GetUtcNow())))
        {
            using var content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8, "application/cloudevents+json");
            using var response = await http.PostAsync($"/v1/events/{topic}", content, cancellationToken);
            Console.WriteLine($"  POST /v1/events/{topic}  {cloudEvent["type"]} ({cloudEvent["data"]!["orderId"]}) -> {(int)response.StatusCode}");
        }

        Console.WriteLine();
        var sent = await WaitForNoticesAsync(http, time, cancellationToken);
        Console.WriteLine(sent
            ? "All four notices were sent (SMS and email to each customer); see them above and in data/demo-outbox.jsonl."
            : "The notices were not all sent within 30 s; see GET /v1/orders/{id}/notices for why.");
        if (sent)
        {
            await DemoDeliveryReceipt.ShowAsync(http, app.Services, Console.Out, cancellationToken);
            await DemoSurvey.DeliverAsync(http, time.GetUtcNow(), Console.Out, cancellationToken);
            var deadline = time.GetUtcNow().AddSeconds(30);
            while (await DemoSurvey.SentSurveyAsync(http, cancellationToken) is null && time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }

            await DemoSurvey.AnswerAsync(http, app.Services, Console.Out, cancellationToken);
        }
        Console.WriteLine(
            $"""

            Proactive keeps running at {address}. Open the CX console at {address}/console
            (API key {login.Key}), or try:
              curl {address}/v1/orders/{KoreanOrder}
              curl {address}/v1/orders/{KoreanOrder}/notices
              curl {address}/v1/orders/{EnglishOrder}/notices
            Press Ctrl+C to stop.
            """);
        await app.WaitForShutdownAsync(cancellationToken);
    }

    /// <summary>One of the demo shop's CloudEvents, id <c>demo-{number}</c>.</summary>
    private static JsonObject CloudEvent(int number, string type, JsonObject data) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = $"demo-{number}",
        ["source"] = "demo-shop",
        ["type"] = type,
        ["datacontenttype"] = "application/json",
        ["data"] = data,
    };

    /// <summary>The scenario, timed from now so the rules see a live order.</summary>
    public static IEnumerable<(string Topic, JsonObject Event)> Events(DateTimeOffset now)
    {
        string At(TimeSpan offset, string zone) => now.Add(offset).ToOffset(zone == "Asia/Seoul" ? TimeSpan.FromHours(9) : TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        var seq = 0;
        JsonObject Event(string type, JsonObject data) => CloudEvent(++seq, type, data);

        var seoul = "Asia/Seoul";
        yield return (Topics.Orders, Event(CloudEventTypes.OrderPlaced, new JsonObject
        {
            ["orderId"] = KoreanOrder,
            ["occurredAt"] = At(TimeSpan.FromHours(-20), seoul),
            ["promisedBy"] = At(TimeSpan.FromDays(2), seoul),
            ["shipBy"] = At(TimeSpan.FromHours(2), seoul),
            ["customer"] = new JsonObject
            {
                ["customerId"] = "C-77",
                ["name"] = "김민지",
                ["phone"] = DemoSurvey.KoreanPhone,
                ["email"] = "minji@example.com",
                ["locale"] = "ko-KR",
                ["timeZone"] = seoul,
            },
            ["trackingUrl"] = $"https://{DemoShopHost}/orders/{KoreanOrder}",
        }));
        yield return (Topics.Shipments, Event(CloudEventTypes.ShipmentCreated, new JsonObject
        {
            ["shipmentId"] = "S-9001",
            ["orderId"] = KoreanOrder,
            ["occurredAt"] = At(TimeSpan.FromHours(-10), seoul),
            ["carrier"] = "CJ Logistics",
            ["trackingNumber"] = "5512-3344-9988",
            ["estimatedDeliveryAt"] = At(TimeSpan.FromDays(1), seoul),
        }));
        yield return (Topics.Shipments, Event(CloudEventTypes.ShipmentTracking, new JsonObject
        {
            ["shipmentId"] = "S-9001",
            ["orderId"] = KoreanOrder,
            ["occurredAt"] = At(TimeSpan.FromMinutes(-5), seoul),
            ["status"] = "IN_TRANSIT",
            ["estimatedDeliveryAt"] = At(TimeSpan.FromDays(4), seoul),
            ["location"] = "Daejeon Hub",
        }));

        var utc = "Europe/London";
        yield return (Topics.Orders, Event(CloudEventTypes.OrderPlaced, new JsonObject
        {
            ["orderId"] = EnglishOrder,
            ["occurredAt"] = At(TimeSpan.FromHours(-30), utc),
            ["promisedBy"] = At(TimeSpan.FromDays(3), utc),
            ["customer"] = new JsonObject
            {
                ["customerId"] = "C-88",
                ["name"] = "Alex Morgan",
                ["phone"] = "+447700900123",
                ["email"] = "alex@example.com",
                ["locale"] = "en-GB",
                ["timeZone"] = utc,
            },
            ["trackingUrl"] = $"https://{DemoShopHost}/orders/{EnglishOrder}",
        }));
        yield return (Topics.Shipments, Event(CloudEventTypes.ShipmentCreated, new JsonObject
        {
            ["shipmentId"] = "S-9002",
            ["orderId"] = EnglishOrder,
            ["occurredAt"] = At(TimeSpan.FromHours(-20), utc),
            ["carrier"] = "Royal Mail",
            ["estimatedDeliveryAt"] = At(TimeSpan.FromDays(2), utc),
        }));
        yield return (Topics.Shipments, Event(CloudEventTypes.ShipmentTracking, new JsonObject
        {
            ["shipmentId"] = "S-9002",
            ["orderId"] = EnglishOrder,
            ["occurredAt"] = At(TimeSpan.FromMinutes(-3), utc),
            ["status"] = "EXCEPTION",
            ["estimatedDeliveryAt"] = At(TimeSpan.FromDays(5), utc),
            ["location"] = "Bristol Depot",
            ["exception"] = new JsonObject { ["code"] = "WEATHER", ["description"] = "Flooding at the depot" },
        }));
    }

    /// <summary>Two more Royal Mail orders held at the flooded Bristol depot: with the English order, an incident of three.</summary>
    public static IEnumerable<(string Topic, JsonObject Event)> IncidentEvents(DateTimeOffset now)
    {
        string At(TimeSpan offset) => now.Add(offset).ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        var seq = 100;
        JsonObject Event(string type, JsonObject data) => CloudEvent(++seq, type, data);

        foreach (var (order, customer, name, phone) in new[] { ("DEMO-EN-2002", "C-89", "Sam Patel", "+447700900456"), ("DEMO-EN-2003", "C-90", "Jo Evans", "+447700900789") })
        {
            yield return (Topics.Orders, Event(CloudEventTypes.OrderPlaced, new JsonObject
            {
                ["orderId"] = order,
                ["occurredAt"] = At(TimeSpan.FromHours(-28)),
                ["promisedBy"] = At(TimeSpan.FromDays(3)),
                ["customer"] = new JsonObject
                {
                    ["customerId"] = customer,
                    ["name"] = name,
                    ["phone"] = phone,
                    ["locale"] = "en-GB",
                    ["timeZone"] = "Europe/London",
                },
                ["trackingUrl"] = $"https://{DemoShopHost}/orders/{order}",
            }));
            yield return (Topics.Shipments, Event(CloudEventTypes.ShipmentCreated, new JsonObject
            {
                ["shipmentId"] = $"S-{order}",
                ["orderId"] = order,
                ["occurredAt"] = At(TimeSpan.FromHours(-18)),
                ["carrier"] = "Royal Mail",
                ["estimatedDeliveryAt"] = At(TimeSpan.FromDays(2)),
            }));
            yield return (Topics.Shipments, Event(CloudEventTypes.ShipmentTracking, new JsonObject
            {
                ["shipmentId"] = $"S-{order}",
                ["orderId"] = order,
                ["occurredAt"] = At(TimeSpan.FromMinutes(-2)),
                ["status"] = "EXCEPTION",
                ["estimatedDeliveryAt"] = At(TimeSpan.FromDays(5)),
                ["location"] = "Bristol Depot",
                ["exception"] = new JsonObject { ["code"] = "WEATHER", ["description"] = "Flooding at the depot" },
            }));
        }
    }

    private static async Task<bool> WaitForNoticesAsync(HttpClient http, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(30);
        while (time.GetUtcNow() < deadline)
        {
            var sent = 0;
            foreach (var order in new[] { KoreanOrder, EnglishOrder })
            {
                var notices = await http.GetFromJsonAsync<JsonElement>($"/v1/orders/{order}/notices", cancellationToken);
                sent += notices.GetProperty("notices").EnumerateArray().Count(n => n.GetProperty("status").GetString() == "sent");
            }

            if (sent >= 4)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }

        return false;
    }

    private static string HttpAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal);
    }
}

/// <summary>The demo's console login: an API key minted at start, its hash configured, the key printed.</summary>
public sealed record DemoLogin(string Key)
{
    public const string Name = "demo-console";

    public const string Scopes = "orders:read notices:read voice:read";
}
