using System.Text.Json.Nodes;
using Dapper;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

public sealed class DeliveredNewsTestsOnSqlite : DeliveredNewsTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

public sealed class DeliveredNewsTestsOnPostgres : DeliveredNewsTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// Tracker tells Notifier of every delivery (DELIVERED when no episode is open), and Notifier
/// withdraws what is still waiting for the order. The survey is off: these tests are about the news.
/// </summary>
public abstract class DeliveredNewsTests : IAsyncLifetime
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    public async ValueTask InitializeAsync() =>
        host = await StandaloneHost.StartAsync(store: Store, settings: new Dictionary<string, string?> { ["Proactive:Survey:Enabled"] = "false" });

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private async Task<List<DelayEpisodeChanged>> PublishedAsync()
    {
        var payloads = await host.Services.GetRequiredService<Tracker.Store.TrackerStore>().Database.ReadAsync(
            c => c.QueryAsync<string>("SELECT payload FROM tracker_outbox ORDER BY id"), TestContext.Current.CancellationToken);
        return payloads.Select(JsonParser.Default.Parse<DelayEpisodeChanged>).ToList();
    }

    private Task<long?> NotifierSequenceAsync() =>
        host.Services.GetRequiredService<Database>().ReadAsync(
            c => c.ExecuteScalarAsync<long?>("SELECT last_sequence FROM notifier_orders WHERE order_id = @Order", new { Order }), TestContext.Current.CancellationToken);

    [Fact]
    public async Task ABackOnTrackSmsHeldOvernightIsWithdrawnWhenTheParcelArrivesBeforeMorning()
    {
        await host.AcceptAsync(
            OrderPlaced(Order, Now.AddHours(-3), Promise, id: "placed"),
            ShipmentCreated(Order, "S-1", Now.AddHours(-1), Promise.AddHours(-3), id: "created"),
            Tracking(Order, "S-1", Now.AddMinutes(-5), "IN_TRANSIT", Promise.AddDays(2), id: "slip"));
        await host.DrainAsync();
        host.Twilio.Messages.ShouldHaveSingleItem();

        // 22:30 in Seoul: back on track; the good news by SMS waits for 08:00.
        await host.AdvanceAsync(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "OUT_FOR_DELIVERY", Promise.AddHours(-12), id: "back"));
        await host.DrainAsync();
        var held = (await host.NoticesAsync(Order)).EnumerateArray()
            .Single(n => n.GetProperty("kind").GetString() == "BACK_ON_TRACK" && n.GetProperty("channel").GetString() == "SMS");
        held.GetProperty("status").GetString().ShouldBe("deferred");

        // Delivered at 23:30, the episode already closed: DELIVERED, and the held SMS never goes.
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "DELIVERED", id: "delivered"));
        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(10));

        (await PublishedAsync()).Select(m => m.Kind).ShouldBe(
            [DelayEpisodeChanged.Types.Kind.Detected, DelayEpisodeChanged.Types.Kind.Resolved, DelayEpisodeChanged.Types.Kind.Delivered]);
        (await NotifierSequenceAsync()).ShouldBe(3);
        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("늦어지고");
        var withdrawn = (await host.NoticesAsync(Order)).EnumerateArray()
            .Single(n => n.GetProperty("kind").GetString() == "BACK_ON_TRACK" && n.GetProperty("channel").GetString() == "SMS");
        withdrawn.GetProperty("status").GetString().ShouldBe("suppressed");
        withdrawn.GetProperty("why").GetString().ShouldBe("withdrawn: the order was delivered before it was sent");
    }

    [Fact]
    public async Task AnOrderNeverLateReachesNotifierOnceDeliveredAndNothingIsSent()
    {
        var placed = OrderPlaced(Order, Now.AddHours(-3), Promise, id: "placed");
        placed["data"]!["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-11", ["postalCode"] = "04524" };
        await host.AcceptAsync(placed, ShipmentCreated(Order, "S-1", Now.AddHours(-1), Promise.AddHours(-3), id: "created"));
        await host.DrainAsync();
        (await NotifierSequenceAsync()).ShouldBeNull();

        await host.AdvanceAsync(TimeSpan.FromDays(1));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "DELIVERED", id: "delivered"));
        await host.DrainAsync();

        var delivered = (await PublishedAsync()).ShouldHaveSingleItem();
        delivered.Kind.ShouldBe(DelayEpisodeChanged.Types.Kind.Delivered);
        delivered.EpisodeId.ShouldBe("");
        delivered.ShipTo.Region.ShouldBe("KR-11");
        delivered.ShipTo.PostalCode.ShouldBe("");
        (await NotifierSequenceAsync()).ShouldBe(1);
        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);
        (await host.NoticesAsync(Order)).GetArrayLength().ShouldBe(0);
    }
}
