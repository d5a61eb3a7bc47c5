using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Never lose, never double-send: the real host fed a stream of contract events, SIGKILLed at
/// random moments and restarted; then two replicas on one PostgreSQL. Every customer must hear
/// once; a kill may repeat at most the sends it cut off (at most Proactive:Dispatch:SendConcurrency).
/// </summary>
public sealed class CrashTests
{
    private const int Orders = 1000;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static string Phone(int i) => $"+8210{i:D8}";

    private static string Email(int i) => $"customer{i}@example.com";

    /// <summary>The stream in batches of one topic each, orders and shipments interleaved.</summary>
    private static List<JsonObject[]> Batches()
    {
        var byTopic = Stream().GroupBy(e => e["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal))
            .Select(g => g.Chunk(30).ToList())
            .ToList();
        return Enumerable.Range(0, byTopic.Max(t => t.Count))
            .SelectMany(i => byTopic.Where(t => i < t.Count).Select(t => t[i]))
            .ToList();
    }

    /// <summary>Per order: placed, shipment created, a tracking update that slips past the promise.</summary>
    private static List<JsonObject> Stream()
    {
        var events = new List<JsonObject>();
        for (var i = 0; i < Orders; i++)
        {
            var order = $"CR-{i}";
            var customer = KoreanCustomer();
            customer["phone"] = Phone(i);
            customer["email"] = Email(i);
            events.Add(OrderPlaced(order, Now.AddHours(-3), Now.AddDays(2), customer, id: $"{order}-placed"));
            events.Add(ShipmentCreated(order, "S-1", Now.AddHours(-2), Now.AddDays(1), id: $"{order}-created"));
            events.Add(Tracking(order, "S-1", Now.AddHours(-1), "IN_TRANSIT", Now.AddDays(4), id: $"{order}-tracking"));
        }

        return events;
    }

    /// <summary>
    /// The host's settings. A short <paramref name="lease"/> lets a killed host's claims be taken
    /// over quickly; where no host dies, a long one keeps a slow send on a loaded machine from being
    /// taken over (and sent twice) while it is still in flight.
    /// </summary>
    private static async Task<IEnumerable<KeyValuePair<string, string?>>> SettingsAsync(
        StoreKind store, string directory, FakeTwilio twilio, FakeSendGrid sendGrid, string? postgres = null, string lease = "00:00:03")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Proactive:Store"] = store.ToString(),
            ["ConnectionStrings:Proactive"] = store == StoreKind.Postgres
                ? postgres ?? await TestPostgres.CreateDatabaseAsync()
                : $"Data Source={Path.Combine(directory, "crash.db")}",
            ["Proactive:Dispatch:Lease"] = lease,

            // The clock is real here: no quiet hours, or the SMS would wait for morning in Seoul.
            ["Proactive:Notices:QuietHoursStart"] = "00:00",
            ["Proactive:Notices:QuietHoursEnd"] = "00:00",
            ["Proactive:Dispatch:PollInterval"] = "00:00:00.500",
            ["Proactive:Tracker:PollInterval"] = "00:00:00.500",
            ["Proactive:Dispatch:OutboxPath"] = Path.Combine(directory, "outbox.jsonl"),
        };
        return settings.Concat(twilio.Settings()).Concat(sendGrid.Settings());
    }

    /// <summary>Posts one batch, retrying (the same batch: duplicates are harmless) until a host takes it.</summary>
    private static async Task PostUntilAcceptedAsync(HttpClient http, Func<Uri> target, IReadOnlyList<JsonObject> batch)
    {
        var body = new JsonArray(batch.Select(e => (JsonNode)e.DeepClone()).ToArray()).ToJsonString();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/cloudevents-batch+json");
                var topic = batch[0]["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders";
                using var response = await http.PostAsync(new Uri(target(), $"/v1/events/{topic}"), content);
                if ((int)response.StatusCode == 202)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the batch was never accepted");
            await Task.Delay(50);
        }
    }

    private static async Task WaitForEveryCustomerAsync(FakeTwilio twilio, FakeSendGrid sendGrid)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (twilio.Messages.Select(m => m.To).Distinct().Count() < Orders || sendGrid.Mails.Select(m => m.To).Distinct().Count() < Orders)
        {
            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }
    }

    private static (int Sms, int Email) Duplicates(FakeTwilio twilio, FakeSendGrid sendGrid) =>
        (twilio.Messages.Count - twilio.Messages.Select(m => m.To).Distinct().Count(),
         sendGrid.Mails.Count - sendGrid.Mails.Select(m => m.To).Distinct().Count());

    private static void EveryCustomerHeard(FakeTwilio twilio, FakeSendGrid sendGrid)
    {
        var phones = twilio.Messages.Select(m => m.To).ToHashSet();
        var emails = sendGrid.Mails.Select(m => m.To).ToHashSet();
        Enumerable.Range(0, Orders).Where(i => !phones.Contains(Phone(i))).ShouldBeEmpty("customers who never got their SMS");
        Enumerable.Range(0, Orders).Where(i => !emails.Contains(Email(i))).ShouldBeEmpty("customers who never got their email");
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task KillingTheHostLosesNoNoticeAndRepeatsAtMostTheSendInFlight(StoreKind store)
    {
        var directory = Directory.CreateTempSubdirectory("proactive-crash").FullName;
        await using var twilio = await FakeTwilio.StartAsync();
        await using var sendGrid = await FakeSendGrid.StartAsync();
        await using var host = new ChildHost(directory, await SettingsAsync(store, directory, twilio, sendGrid));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await host.StartAsync(http);

        var random = new Random();
        var kills = 0;
        using var feeding = new CancellationTokenSource();
        var killer = Task.Run(
            async () =>
        {
            for (var k = 0; k < 4; k++)
            {
                await Task.Delay(random.Next(300, 2500));
                await host.KillAsync();
                kills++;
                await host.StartAsync(http);
            }
        },
            TestContext.Current.CancellationToken);

        foreach (var batch in Batches())
        {
            await PostUntilAcceptedAsync(http, () => host.BaseAddress, batch);
        }

        await killer;
        await WaitForEveryCustomerAsync(twilio, sendGrid);

        EveryCustomerHeard(twilio, sendGrid);
        var (sms, email) = Duplicates(twilio, sendGrid);
        TestContext.Current.SendDiagnosticMessage($"{store}: {kills} kills, {twilio.Messages.Count} SMS and {sendGrid.Mails.Count} emails for {Orders} orders; repeated sends: {sms} SMS, {email} email");
        // A kill may repeat the sends it cut off: at most SendConcurrency are in flight (sent, outcome not yet committed).
        var allowed = kills * new Notifier.DispatchOptions().SendConcurrency;
        new Notifier.DispatchOptions().SendConcurrency.ShouldBe(16, "by default a kill repeats at most the 16 sends it cut off (README, Proactive:Dispatch:SendConcurrency)");
        TestContext.Current.TestOutputHelper?.WriteLine($"crash test on {store}: {kills} kills; repeated sends {sms} SMS + {email} email (allowed: {allowed})");
        (sms + email).ShouldBeLessThanOrEqualTo(allowed, $"{kills} kills may repeat at most the sends in flight, {allowed}");
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task TwoReplicasOnOnePostgresSendEachNoticeOnce()
    {
        var directory = Directory.CreateTempSubdirectory("proactive-replicas").FullName;
        await using var twilio = await FakeTwilio.StartAsync();
        await using var sendGrid = await FakeSendGrid.StartAsync();
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var a = new ChildHost(Path.Combine(directory), await SettingsAsync(StoreKind.Postgres, directory, twilio, sendGrid, database, lease: "00:01:00"));
        await using var b = new ChildHost(Path.Combine(directory), await SettingsAsync(StoreKind.Postgres, directory, twilio, sendGrid, database, lease: "00:01:00"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Task.WhenAll(a.StartAsync(http), b.StartAsync(http));

        // Each order's events are split across the replicas, and both dispatchers race for every notice.
        var batches = Batches();
        await Task.WhenAll(
            Task.Run(async () =>
            {
                foreach (var batch in batches.Where((_, i) => i % 2 == 0))
                {
                    await PostUntilAcceptedAsync(http, () => a.BaseAddress, batch);
                }
            }, TestContext.Current.CancellationToken),
            Task.Run(async () =>
            {
                foreach (var batch in batches.Where((_, i) => i % 2 == 1))
                {
                    await PostUntilAcceptedAsync(http, () => b.BaseAddress, batch);
                }
            }, TestContext.Current.CancellationToken));
        await WaitForEveryCustomerAsync(twilio, sendGrid);

        EveryCustomerHeard(twilio, sendGrid);
        Duplicates(twilio, sendGrid).ShouldBe((0, 0));
    }
}
