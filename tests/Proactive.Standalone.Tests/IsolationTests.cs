using System.Data.Common;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier;
using Proactive.Notifier.Channels;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Publishing;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>One order's item that keeps failing, in each queue, on SQLite.</summary>
public sealed class IsolationTestsOnSqlite : IsolationTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class IsolationTestsOnPostgres : IsolationTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// An item that fails — in the outbox relay, the timer sweep or the dispatcher — is retried on its
/// own with backoff (1 min, then 2 min), parked after its third failure, shown by GET /v1/parked
/// and /healthz, and delivered once the cause is fixed and it is retried; other orders never wait.
/// </summary>
public abstract class IsolationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private static readonly Dictionary<string, string?> Queues = new()
    {
        ["Proactive:Queues:MaxAttempts"] = "3",
        ["Proactive:Queues:RetryBaseDelay"] = "00:01:00",
        ["Proactive:Queues:RetryMaxDelay"] = "00:02:00",
    };

    private readonly BreakingSenders breaking = new();
    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        host = await StandaloneHost.StartAsync(store: Store, settings: Queues, services: s => breaking.Wrap(s));

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private static JsonObject[] Late(string order, JsonObject? customer = null) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, customer, shipBy: Now.AddDays(1), id: $"{order}-placed"),
        ShipmentCreated(order, $"S-{order}", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, $"S-{order}", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    private static JsonObject Customer(string customerId)
    {
        var customer = KoreanCustomer();
        customer["customerId"] = customerId;
        return customer;
    }

    private Database Db => host.Services.GetRequiredService<Database>();

    private Task ExecuteAsync(string sql) => Db.WriteAsync((c, tx) => c.ExecuteAsync(sql, transaction: tx), Ct);

    /// <summary>Preferences no code path can read (the channel list names an unknown channel, and an email address).</summary>
    private Task PoisonPreferencesAsync(string customerId) =>
        ExecuteAsync($"INSERT INTO notifier_preferences (customer_id, channels, updated_at) VALUES ('{customerId}', 'Sms,{EnglishEmail}', 0)");

    private Task<(long Attempts, bool Parked)?> FailureAsync(string queue, string itemKey) =>
        Db.ReadAsync(
            async c => (await c.QueryAsync<(long, long?)>(
                "SELECT attempts, parked_at FROM queue_item_failures WHERE queue = @queue AND item_key = @itemKey", new { queue, itemKey }))
                .Select(r => ((long, bool)?)(r.Item1, r.Item2 is not null)).SingleOrDefault(),
            Ct);

    private async Task<List<JsonElement>> ParkedAsync() =>
        (await host.Client.GetFromJsonAsync<JsonElement>("/v1/parked", Ct)).GetProperty("parked").EnumerateArray().ToList();

    private async Task<JsonElement> HealthAsync()
    {
        using var response = await host.Client.GetAsync("/healthz", Ct);
        ((int)response.StatusCode).ShouldBe(200);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>The statuses of the order's delay notices (the survey after delivery left out).</summary>
    private async Task<List<string>> StatusesAsync(string order) =>
        (await host.NoticesAsync(order)).EnumerateArray().Where(n => n.GetProperty("kind").GetString() != "SURVEY").Select(n => n.GetProperty("status").GetString()!).ToList();

    /// <summary>1 min after the first failure, 2 min after the second, parked at the third; never tried again after.</summary>
    private async Task ShouldBeRetriedWithBackoffThenParkedAsync(string queue, params string[] itemKeys)
    {
        async Task AllShouldBeAsync(long attempts, bool parked)
        {
            foreach (var key in itemKeys)
            {
                (await FailureAsync(queue, key)).ShouldBe((attempts, parked), key);
            }
        }

        await AllShouldBeAsync(1, false);
        await host.AdvanceAsync(TimeSpan.FromSeconds(59));
        await AllShouldBeAsync(1, false);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        await AllShouldBeAsync(2, false);
        await host.AdvanceAsync(TimeSpan.FromSeconds(119));
        await AllShouldBeAsync(2, false);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        await AllShouldBeAsync(3, true);
        await host.AdvanceAsync(TimeSpan.FromMinutes(30));
        await AllShouldBeAsync(3, true);
    }

    private async Task HealthShouldBeDegradedNamingAsync(string queue, int parked)
    {
        var health = await HealthAsync();
        health.GetProperty("status").GetString().ShouldBe("Degraded");
        var queues = health.GetProperty("checks").GetProperty("queues");
        queues.GetProperty("description").GetString()!.ShouldContain($"{queue}: {parked} parked");
        queues.GetProperty("data").GetProperty($"{queue}.parked").GetInt32().ShouldBe(parked);
        health.GetProperty("checks").GetProperty("store").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    private async Task HealthShouldBeHealthyAsync() => (await HealthAsync()).GetProperty("status").GetString().ShouldBe("Healthy");

    [Fact]
    public async Task AChangeNotifierCannotHandleIsRetriedThenParkedWhileOtherOrdersAreTold()
    {
        await HealthShouldBeHealthyAsync();
        await PoisonPreferencesAsync("C-1");
        await host.AcceptAsync(Late("A-1", Customer("C-1")));
        await host.AcceptAsync(Late("B-1"));
        await host.DrainAsync();

        (await StatusesAsync("B-1")).ShouldBe(["sent", "sent"], ignoreOrder: true);
        (await StatusesAsync("A-1")).ShouldBeEmpty();
        await ShouldBeRetriedWithBackoffThenParkedAsync("tracker.outbox", "A-1/1");

        var parked = (await ParkedAsync()).ShouldHaveSingleItem();
        parked.GetProperty("queue").GetString().ShouldBe("tracker.outbox");
        parked.GetProperty("orderId").GetString().ShouldBe("A-1");
        parked.GetProperty("itemKey").GetString().ShouldBe("A-1/1");
        parked.GetProperty("attempts").GetInt32().ShouldBe(3);
        parked.GetProperty("firstFailedAt").GetDateTimeOffset().ShouldBe(Now);
        parked.GetProperty("parkedAt").GetDateTimeOffset().ShouldBe(Now.AddMinutes(3));
        var error = parked.GetProperty("error").GetString()!;
        error.ShouldContain("ArgumentException");
        error.ShouldNotContain(EnglishEmail);
        error.ShouldContain("[email]");
        await HealthShouldBeDegradedNamingAsync("tracker.outbox", 1);

        await ExecuteAsync("DELETE FROM notifier_preferences WHERE customer_id = 'C-1'");
        using (var unknown = await host.Client.PostAsync("/v1/parked/999999:retry", null, Ct))
        {
            ((int)unknown.StatusCode).ShouldBe(404);
        }

        using (var retry = await host.Client.PostAsync($"/v1/parked/{parked.GetProperty("id").GetInt64()}:retry", null, Ct))
        {
            ((int)retry.StatusCode).ShouldBe(200);
        }

        await host.DrainAsync();
        (await StatusesAsync("A-1")).ShouldBe(["sent", "sent"], ignoreOrder: true);
        (await ParkedAsync()).ShouldBeEmpty();
        (await FailureAsync("tracker.outbox", "A-1/1")).ShouldBeNull();
        await HealthShouldBeHealthyAsync();
    }

    [Fact]
    public async Task AnOrdersLaterChangeWaitsWhileItsFailingChangeIsRetriedAndGoesOnOnceItIsParked()
    {
        await PoisonPreferencesAsync("C-1");
        await host.AcceptAsync(Late("A-1", Customer("C-1")));
        await host.DrainAsync();
        await host.AcceptAsync(Tracking("A-1", "S-A-1", Now, "IN_TRANSIT", SlippedEta.AddDays(2), id: "A-1-tracking-2"));
        await host.DrainAsync();

        // The second change of A-1 is not tried while the first is being retried...
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        (await FailureAsync("tracker.outbox", "A-1/1")).ShouldBe((2, false));
        (await FailureAsync("tracker.outbox", "A-1/2")).ShouldBeNull();

        // ...and is, as soon as the first is parked.
        await host.AdvanceAsync(TimeSpan.FromMinutes(2));
        (await FailureAsync("tracker.outbox", "A-1/1")).ShouldBe((3, true));
        (await FailureAsync("tracker.outbox", "A-1/2")).ShouldBe((1, false));
    }

    [Fact]
    public async Task AQueueWhoseOldestItemWaitsTooLongMakesHealthDegraded()
    {
        await using var slow = await StandaloneHost.StartAsync(store: Store, settings: new Dictionary<string, string?>
        {
            ["Proactive:Queues:RetryBaseDelay"] = "00:10:00",
            ["Proactive:Health:MaxQueueAge"] = "00:05:00",
        });
        await slow.Services.GetRequiredService<Database>().WriteAsync(
            (c, tx) => c.ExecuteAsync($"INSERT INTO notifier_preferences (customer_id, channels, updated_at) VALUES ('C-1', 'PIGEON', 0)", transaction: tx), Ct);
        await slow.AcceptAsync(Late("A-1", Customer("C-1")));
        await slow.DrainAsync();
        await slow.AdvanceAsync(TimeSpan.FromMinutes(5));
        (await slow.Client.GetFromJsonAsync<JsonElement>("/healthz", Ct)).GetProperty("status").GetString().ShouldBe("Healthy");

        await slow.AdvanceAsync(TimeSpan.FromMinutes(1));

        var health = await slow.Client.GetFromJsonAsync<JsonElement>("/healthz", Ct);
        health.GetProperty("status").GetString().ShouldBe("Degraded");
        var queues = health.GetProperty("checks").GetProperty("queues");
        queues.GetProperty("description").GetString()!.ShouldContain("tracker.outbox: oldest due item waiting 360 s");
        queues.GetProperty("data").GetProperty("tracker.outbox.oldest_due_age_seconds").GetDouble().ShouldBe(360);
    }

    [Fact]
    public async Task AnOrderWhoseTimerCannotBeEvaluatedIsRetriedThenParkedWhileOtherOrdersTimersFire()
    {
        // Not shipped by shipBy: a timer rule.
        await host.AcceptAsync(OrderPlaced("A-2", Now, Promise, shipBy: Now.AddHours(1), id: "A-2-placed"));
        await host.AcceptAsync(OrderPlaced("B-2", Now, Promise, shipBy: Now.AddHours(1), id: "B-2-placed"));
        await host.DrainAsync();
        await ExecuteAsync(
            """
            INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload)
            VALUES ('poison', 'p-1', 'A-2', 'proactive.order.updated.v1', 0, 0, '{"promisedBy": "not a time"}');
            UPDATE tracker_orders SET timeline = NULL WHERE order_id = 'A-2';
            """);

        await host.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        (await StatusesAsync("B-2")).ShouldBe(["sent", "sent"], ignoreOrder: true);
        (await StatusesAsync("A-2")).ShouldBeEmpty();
        await ShouldBeRetriedWithBackoffThenParkedAsync("tracker.timers", "A-2");
        var parked = (await ParkedAsync()).ShouldHaveSingleItem();
        parked.GetProperty("queue").GetString().ShouldBe("tracker.timers");
        parked.GetProperty("orderId").GetString().ShouldBe("A-2");
        await HealthShouldBeDegradedNamingAsync("tracker.timers", 1);

        await ExecuteAsync("DELETE FROM tracker_events WHERE source = 'poison'");
        using (var retry = await host.Client.PostAsync("/v1/parked:retry", null, Ct))
        {
            (await retry.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("retried").GetInt32().ShouldBe(1);
        }

        await host.DrainAsync();
        (await StatusesAsync("A-2")).ShouldBe(["sent", "sent"], ignoreOrder: true);
        (await ParkedAsync()).ShouldBeEmpty();
        await HealthShouldBeHealthyAsync();
    }

    [Fact]
    public async Task ANoticeWhoseSendThrowsAStoreErrorIsRetriedThenParkedWhileOtherNoticesGoOut()
    {
        breaking.Orders.Add("A-3");
        await host.AcceptAsync(Late("A-3"));
        await host.AcceptAsync(Late("B-3"));
        await host.DrainAsync();

        (await StatusesAsync("B-3")).ShouldBe(["sent", "sent"], ignoreOrder: true);
        (await StatusesAsync("A-3")).ShouldBe(["pending", "pending"]);
        var notices = (await host.NoticesAsync("A-3")).EnumerateArray().Select(n => n.GetProperty("noticeId").GetString()!).ToList();
        await ShouldBeRetriedWithBackoffThenParkedAsync("notifier.dispatch", [.. notices]);

        breaking.Calls.ShouldBe(6);
        (await ParkedAsync()).Select(p => p.GetProperty("itemKey").GetString()).ShouldBe(notices, ignoreOrder: true);
        (await ParkedAsync()).ShouldAllBe(p => p.GetProperty("queue").GetString() == "notifier.dispatch" && p.GetProperty("orderId").GetString() == "A-3");
        (await ParkedAsync())[0].GetProperty("error").GetString()!.ShouldContain("the store refused this notice");
        await HealthShouldBeDegradedNamingAsync("notifier.dispatch", 2);

        breaking.Orders.Clear();
        using (var retry = await host.Client.PostAsync("/v1/parked:retry", null, Ct))
        {
            (await retry.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("retried").GetInt32().ShouldBe(2);
        }

        await host.DrainAsync();
        (await StatusesAsync("A-3")).ShouldBe(["sent", "sent"]);
        (await ParkedAsync()).ShouldBeEmpty();
        await HealthShouldBeHealthyAsync();
    }

    [Fact]
    public async Task AParkedNoticeThatNewerNewsWithdrawsLeavesTheParkedListAndHealth()
    {
        breaking.Orders.Add("A-4");
        await host.AcceptAsync(Late("A-4"));
        await host.DrainAsync();
        var notices = (await host.NoticesAsync("A-4")).EnumerateArray().Select(n => n.GetProperty("noticeId").GetString()!).ToList();
        await ShouldBeRetriedWithBackoffThenParkedAsync("notifier.dispatch", [.. notices]);
        await HealthShouldBeDegradedNamingAsync("notifier.dispatch", 2);

        await host.AcceptAsync(Tracking("A-4", "S-A-4", host.Time.GetUtcNow(), "DELIVERED", id: "A-4-delivered"));
        await host.DrainAsync();

        (await StatusesAsync("A-4")).ShouldBe(["suppressed", "suppressed"]);
        (await ParkedAsync()).ShouldBeEmpty();
        await HealthShouldBeHealthyAsync();
    }

    /// <summary>Wraps the host's senders: a notice of an order in <see cref="Orders"/> throws a store error before the provider is called.</summary>
    private sealed class BreakingSenders
    {
        public HashSet<string> Orders { get; } = [];

        private int calls;

        public int Calls => calls;

        public void Wrap(IServiceCollection services)
        {
            foreach (var original in services.Where(d => d.ServiceType == typeof(INoticeSender)).ToList())
            {
                services.Remove(original);
                services.AddSingleton<INoticeSender>(sp => new Sender((INoticeSender)original.ImplementationFactory!(sp), this));
            }
        }

        private sealed class Sender(INoticeSender inner, BreakingSenders breaking) : INoticeSender
        {
            public Channel Channel => inner.Channel;

            public string Provider => inner.Provider;

            public double MessagesPerSecond => inner.MessagesPerSecond;

            public Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken)
            {
                if (breaking.Orders.Contains(notice.OrderId))
                {
                    Interlocked.Increment(ref breaking.calls);
                    throw new StoreRefused();
                }

                return inner.SendAsync(notice, cancellationToken);
            }
        }
    }

    private sealed class StoreRefused() : DbException("the store refused this notice");
}

/// <summary>A store that fails is not the item's fault: nothing is counted against it, and the round is tried again.</summary>
public sealed class StoreOutageTests
{
    [Fact]
    public async Task AStoreOutageWhilePublishingCountsNothingAgainstTheChange()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await StandaloneHost.StartAsync(services: s =>
        {
            s.AddSingleton<OutagePublisher>();
            s.AddSingleton<IEpisodePublisher>(sp => sp.GetRequiredService<OutagePublisher>());
        });
        var now = StandaloneHost.Start;
        await host.AcceptAsync(
            OrderPlaced("O-1", now.AddHours(-3), now.AddDays(2), id: "o-1-placed"),
            ShipmentCreated("O-1", "S-1", now.AddHours(-1), now.AddDays(4), id: "o-1-created"));
        var relay = host.Services.GetRequiredService<OutboxRelay>();
        host.Services.GetRequiredService<OutagePublisher>().Outages = 3;

        for (var i = 0; i < 3; i++)
        {
            await Should.ThrowAsync<SqliteException>(() => relay.RelayPendingAsync(ct));
        }

        (await host.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM queue_item_failures"), ct)).ShouldBe(0);
        await host.DrainAsync();
        host.Twilio.Messages.ShouldHaveSingleItem();
    }

    /// <summary>Notifier in-process, but the store is locked for the next <see cref="Outages"/> publishes.</summary>
    private sealed class OutagePublisher(DelayEpisodeHandler notifier) : IEpisodePublisher
    {
        public int Outages { get; set; }

        public Task PublishAsync(OutgoingEvent message, CancellationToken cancellationToken)
        {
            if (Outages > 0)
            {
                Outages--;
                throw new SqliteException("database is locked", 5);
            }

            return notifier.HandleAsync(OutgoingEvent.Source, message.EventId, message.Data, cancellationToken);
        }
    }
}
