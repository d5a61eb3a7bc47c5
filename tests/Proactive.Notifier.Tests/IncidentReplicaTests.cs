using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Incidents;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

/// <summary>Two replicas over one SQLite file.</summary>
public sealed class IncidentReplicaTestsOnSqlite : IncidentReplicaTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

/// <summary>Two replicas over one PostgreSQL database.</summary>
public sealed class IncidentReplicaTestsOnPostgres : IncidentReplicaTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>
/// Two Notifier replicas — each its own connection pool, sweep and alerter over the same
/// database — running at once: one incident, one alert per channel.
/// </summary>
public abstract class IncidentReplicaTests : IAsyncLifetime
{
    private TestDatabase test = null!;
    private readonly FakeTimeProvider time = new(News.Now);
    private readonly RecordingEmail email = new();
    private FakeChatWebhook chat = null!;
    private Database other = null!;
    private ServiceProvider services = null!;

    protected abstract StoreKind Kind { get; }

    private Database Database => test.Database;

    private NoticeStore Store { get; set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IOptions<IncidentOptions> Options => Microsoft.Extensions.Options.Options.Create(new IncidentOptions
    {
        WebhookUrl = chat.Url,
        AlertEmail = "cx-team@shop.example",
        RunBackgroundWork = false,
    });

    public async ValueTask InitializeAsync()
    {
        test = await TestDatabase.CreateAsync(Kind, NotifierSchema.Migrations);
        Store = new NoticeStore(Database);
        chat = await FakeChatWebhook.StartAsync();
        other = new Database(Database.ConnectionString, Kind);
        services = new ServiceCollection().AddMetrics().AddHttpClient().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await other.DisposeAsync();
        await chat.DisposeAsync();
        await test.DisposeAsync();
    }

    private (IncidentSweep Sweep, IncidentAlerter Alerter) Replica(Database database)
    {
        var store = new NoticeStore(database);
        var metrics = new IncidentMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var options = Options;
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient();
        return (
            new IncidentSweep(store, options, metrics, new IncidentSweepSignal(), new IncidentAlertSignal(), time, NullLogger<IncidentSweep>.Instance),
            new IncidentAlerter(store, new ChatWebhookSender(http, options), [email], options, metrics, new IncidentAlertSignal(), time, NullLogger<IncidentAlerter>.Instance));
    }

    private async Task DelaysAsync(int orders)
    {
        var signals = new IncidentSignals(Options, new IncidentSweepSignal());
        for (var i = 1; i <= orders; i++)
        {
            var news = News.Detected(reason: Contracts.Tracker.V1.DelayReason.CarrierException, code: "WEATHER") with
            {
                OrderId = $"A-{i}",
                EpisodeId = $"A-{i}/delay-1",
                ShipTo = new ParcelPlace("KR", "KR-11"),
                OccurredAt = time.GetUtcNow().AddMinutes(-i),
            };
            await Store.InTransactionAsync(
                async s =>
                {
                    await signals.OnNewsAsync(s, news, time.GetUtcNow());
                    return 0;
                },
                Ct);
        }
    }

    [Fact]
    public async Task TwoSweepsAtOnceOpenOneIncidentAndTwoAlertersSendOneAlertPerChannel()
    {
        await DelaysAsync(30);
        var (sweepA, alerterA) = Replica(Database);
        var (sweepB, alerterB) = Replica(other);

        var swept = await Task.WhenAll(sweepA.SweepAsync(Ct), sweepB.SweepAsync(Ct), sweepA.SweepAsync(Ct), sweepB.SweepAsync(Ct));
        await Task.WhenAll(alerterA.SendDueAsync(Ct), alerterB.SendDueAsync(Ct), alerterA.SendDueAsync(Ct), alerterB.SendDueAsync(Ct));

        swept.Sum(s => s.Opened).ShouldBe(1);
        var incident = (await Store.ReadAsync(r => r.Incidents.PageAsync(open: null, after: null, limit: 10), Ct)).ShouldHaveSingleItem();
        incident.OrderCount.ShouldBe(30);
        chat.Requests.ShouldBe(1);
        chat.Accepted.Count.ShouldBe(1);
        email.Sent.ShouldHaveSingleItem().Recipient.ShouldBe("cx-team@shop.example");
        (await Store.ReadAsync(r => r.Incidents.AlertsAsync([incident.IncidentId]), Ct)).Select(a => (a.Channel, a.Status, a.Attempts))
            .ShouldBe([("email", "sent", 1), ("webhook", "sent", 1)]);
    }

    [Fact]
    public async Task AnAlertWhoseSenderDiedIsSentByAnotherAfterTheLease()
    {
        await DelaysAsync(20);
        var (sweep, alerter) = Replica(Database);
        await sweep.SweepAsync(Ct);

        // A replica claims both alerts and dies before sending.
        (await new NoticeStore(other).InTransactionAsync(s => s.Incidents.ClaimDueAsync(time.GetUtcNow(), IncidentAlerter.Lease, 10), Ct)).Count.ShouldBe(2);
        (await alerter.SendDueAsync(Ct)).ShouldBe(0);

        time.Advance(IncidentAlerter.Lease);
        (await alerter.SendDueAsync(Ct)).ShouldBe(2);

        chat.Accepted.Count.ShouldBe(1);
        email.Sent.Count.ShouldBe(1);
    }

    private sealed class RecordingEmail : INoticeSender
    {
        public ConcurrentBag<OutgoingNotice> Sent { get; } = [];

        public Channel Channel => Channel.Email;

        public string Provider => "recording";

        public double MessagesPerSecond => 0;

        public Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken)
        {
            Sent.Add(notice);
            return Task.FromResult(SendResult.Sent($"m-{Sent.Count}"));
        }
    }
}
