using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Dapper;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Store;
using static Proactive.Tests.Shared.ContractEvents;
using CarrierExceptionCode = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;
using MessageKind = Proactive.Contracts.Tracker.V1.DelayEpisodeChanged.Types.Kind;

namespace Proactive.Tracker.Tests;

public sealed class DeliveredOnSqlite : DeliveredTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class DeliveredOnPostgres : DeliveredTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>
/// What Tracker tells Notifier about a delivery: once per order, DELIVERED when no episode is open
/// (RESOLVED with resolution DELIVERED otherwise), and where the parcel goes on every message.
/// The model is off: the delivery is told whatever the prediction mode.
/// </summary>
public abstract class DeliveredTests : IAsyncLifetime
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Promise = Start.AddDays(3);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly FakeTimeProvider time = new(Start);
    private TestDatabase test = null!;
    private ServiceProvider meters = null!;
    private OrderTracker tracker = null!;

    protected abstract StoreKind Kind { get; }

    public async ValueTask InitializeAsync()
    {
        test = await TestDatabase.CreateAsync(Kind, TrackerSchema.Migrations);
        meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var prediction = Options.Create(new PredictionSettings { Mode = PredictionMode.Off });
        tracker = new OrderTracker(
            new TrackerStore(test.Database),
            new LatenessPredictor(new SharedModel(prediction), prediction, Options.Create(new TrackerOptions { DefaultTimeZone = "UTC" }), []),
            new OutboxSignal(),
            new TrackerMetrics(meters.GetRequiredService<IMeterFactory>()),
            time,
            Rules.RuleSettings.Default,
            NullLogger<OrderTracker>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await meters.DisposeAsync();
        await test.DisposeAsync();
    }

    /// <summary>The order: to Seoul (with a postal code) from Gyeonggi.</summary>
    private static JsonObject Placed()
    {
        var placed = OrderPlaced(Order, Start.AddHours(-3), Promise, id: "placed");
        placed["data"]!["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-11", ["postalCode"] = "04524" };
        placed["data"]!["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-41" };
        return placed;
    }

    private static JsonObject Created(string shipment, DateTimeOffset at, string? shipFromRegion = null)
    {
        var created = ShipmentCreated(Order, shipment, at, Promise.AddHours(-3), id: $"{shipment}-created");
        if (shipFromRegion is not null)
        {
            created["data"]!["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = shipFromRegion };
        }

        return created;
    }

    private static JsonObject Delivered(string shipment, DateTimeOffset at, string? id = null) =>
        Tracking(Order, shipment, at, "DELIVERED", id: id ?? $"{shipment}-delivered");

    /// <summary>Handles the events in turn, the clock at each one's occurredAt.</summary>
    private async Task SendAsync(params JsonObject[] events)
    {
        foreach (var e in events)
        {
            var at = DateTimeOffset.Parse(e["data"]!["occurredAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            if (at > time.GetUtcNow())
            {
                time.SetUtcNow(at);
            }

            var read = Events.Read(e, now: time.GetUtcNow());
            read.Rejection.ShouldBeNull(read.Rejection?.Summary);
            await tracker.HandleAsync(read.Event!, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Every message queued for Notifier, in order.</summary>
    private async Task<List<DelayEpisodeChanged>> PublishedAsync()
    {
        var payloads = await test.Database.ReadAsync(
            c => c.QueryAsync<string>("SELECT payload FROM tracker_outbox ORDER BY id"), TestContext.Current.CancellationToken);
        return payloads.Select(Parser.Parse<DelayEpisodeChanged>).ToList();
    }

    [Fact]
    public async Task AnOrderNeverLateIsToldDeliveredOnceWithNoEpisode()
    {
        var deliveredAt = Start.AddDays(1);
        await SendAsync(Placed(), Created("S-1", Start.AddHours(-1)), Tracking(Order, "S-1", Start, "IN_TRANSIT", Promise.AddHours(-3), id: "s-1-transit"));
        (await PublishedAsync()).ShouldBeEmpty();

        await SendAsync(Delivered("S-1", deliveredAt));
        time.Advance(TimeSpan.FromMinutes(5));
        // The carrier's gateway sends the delivery again under another id, and an older scan arrives late.
        await SendAsync(Delivered("S-1", deliveredAt, id: "s-1-delivered-again"), Tracking(Order, "S-1", Start.AddHours(2), "OUT_FOR_DELIVERY", id: "s-1-late-scan"));
        await tracker.ReevaluateAsync(Order, TestContext.Current.CancellationToken);

        var delivered = (await PublishedAsync()).ShouldHaveSingleItem();
        delivered.Kind.ShouldBe(MessageKind.Delivered);
        delivered.OrderId.ShouldBe(Order);
        delivered.EpisodeId.ShouldBe("");
        delivered.EpisodeCount.ShouldBe(0);
        delivered.Sequence.ShouldBe(1);
        delivered.Reason.ShouldBe(DelayReason.Unspecified);
        delivered.ExceptionCode.ShouldBe(CarrierExceptionCode.Unspecified);
        delivered.Resolution.ShouldBe(Resolution.Unspecified);
        delivered.DeliveredAt.ToDateTimeOffset().ShouldBe(deliveredAt);
        delivered.OccurredAt.ToDateTimeOffset().ShouldBe(deliveredAt);
        delivered.PromisedBy.ToDateTimeOffset().ShouldBe(Promise);
        delivered.Carrier.ShouldBe("CJ Logistics");
        delivered.TrackingUrl.ShouldBe($"https://shop.example/orders/{Order}");
        delivered.Customer.Phone.ShouldBe(KoreanPhone);
        delivered.ShipTo.ShouldBe(new Contracts.Events.V1.Address { Country = "KR", Region = "KR-11" });
        delivered.ShipFrom.ShouldBe(new Contracts.Events.V1.Address { Country = "KR", Region = "KR-41" });
    }

    [Fact]
    public async Task AnOrderBackOnTrackBeforeItsDeliveryIsToldDeliveredNamingItsLastEpisode()
    {
        var deliveredAt = Start.AddDays(2);
        await SendAsync(
            Placed(),
            Created("S-1", Start.AddHours(-1), shipFromRegion: "KR-26"),
            Tracking(Order, "S-1", Start, "IN_TRANSIT", Promise.AddDays(2), id: "s-1-slip"));
        await SendAsync(Tracking(Order, "S-1", Start.AddDays(1), "IN_TRANSIT", Promise.AddHours(-2), id: "s-1-back"));
        await SendAsync(Delivered("S-1", deliveredAt));

        var published = await PublishedAsync();
        published.Select(m => (m.Kind, m.Sequence, m.EpisodeCount)).ShouldBe([(MessageKind.Detected, 1L, 1), (MessageKind.Resolved, 2L, 1), (MessageKind.Delivered, 3L, 1)]);
        var (detected, recovered, delivered) = (published[0], published[1], published[2]);

        // Where the parcel goes is on every message; it leaves from the shipment's own place.
        detected.Reason.ShouldBe(DelayReason.EtaSlip);
        detected.ShipTo.ShouldBe(new Contracts.Events.V1.Address { Country = "KR", Region = "KR-11" });
        detected.ShipFrom.ShouldBe(new Contracts.Events.V1.Address { Country = "KR", Region = "KR-26" });
        detected.Carrier.ShouldBe("CJ Logistics");
        detected.DeliveredAt.ShouldBeNull();
        recovered.Resolution.ShouldBe(Resolution.Recovered);
        recovered.Carrier.ShouldBe("CJ Logistics");
        recovered.DeliveredAt.ShouldBeNull();
        recovered.ShipTo.Region.ShouldBe("KR-11");

        delivered.EpisodeId.ShouldBe($"{Order}/delay-1");
        delivered.Reason.ShouldBe(DelayReason.EtaSlip);
        delivered.Resolution.ShouldBe(Resolution.Unspecified);
        delivered.DeliveredAt.ToDateTimeOffset().ShouldBe(deliveredAt);
        delivered.Carrier.ShouldBe("CJ Logistics");
        delivered.ShipFrom.Region.ShouldBe("KR-26");
    }

    [Fact]
    public async Task ADeliveryWithAnEpisodeOpenIsToldByTheResolutionOnlyEvenWhenTheTrackingComesAgain()
    {
        var deliveredAt = Start.AddDays(4);
        await SendAsync(
            Placed(),
            Created("S-1", Start.AddHours(-1)),
            Tracking(Order, "S-1", Start, "EXCEPTION", Promise.AddDays(2), exceptionCode: "WEATHER", id: "s-1-weather"));
        await SendAsync(Delivered("S-1", deliveredAt));
        time.Advance(TimeSpan.FromHours(1));
        await SendAsync(
            Delivered("S-1", deliveredAt, id: "s-1-delivered-again"),
            Tracking(Order, "S-1", Start.AddDays(1), "IN_TRANSIT", id: "s-1-late-scan"));
        await tracker.ReevaluateAsync(Order, TestContext.Current.CancellationToken);

        var published = await PublishedAsync();
        published.Select(m => m.Kind).ShouldBe([MessageKind.Detected, MessageKind.Resolved]);
        var resolved = published[1];
        resolved.Resolution.ShouldBe(Resolution.Delivered);
        resolved.Reason.ShouldBe(DelayReason.CarrierException);
        resolved.ExceptionCode.ShouldBe(CarrierExceptionCode.Weather);
        resolved.Carrier.ShouldBe("CJ Logistics");
        resolved.DeliveredAt.ToDateTimeOffset().ShouldBe(deliveredAt);
        resolved.EpisodeCount.ShouldBe(1);
        resolved.ShipTo.Region.ShouldBe("KR-11");
    }

    [Fact]
    public async Task AnOrderOfTwoShipmentsIsDeliveredWhenBothAreAndOnlyOnceEvenIfAThirdFollows()
    {
        await SendAsync(Placed(), Created("S-1", Start.AddHours(-1)), Created("S-2", Start.AddHours(-1)));
        await SendAsync(Delivered("S-1", Start.AddDays(1)));
        (await PublishedAsync()).ShouldBeEmpty();

        await SendAsync(Delivered("S-2", Start.AddDays(2)));
        var delivered = (await PublishedAsync()).ShouldHaveSingleItem();
        delivered.Kind.ShouldBe(MessageKind.Delivered);
        delivered.DeliveredAt.ToDateTimeOffset().ShouldBe(Start.AddDays(2));

        // A forgotten item ships later: the order is open again, then delivered again: told once.
        await SendAsync(Created("S-3", Start.AddDays(2).AddHours(1)));
        await SendAsync(Delivered("S-3", Start.AddDays(2).AddHours(8)));
        (await PublishedAsync()).ShouldHaveSingleItem();
    }

    /// <summary>
    /// Each carrier exception code of the inbound contract reaches Notifier as the same code, written
    /// in the outbox's JSON by the same name the event carried (what an older Notifier reads as text).
    /// </summary>
    [Theory]
    [InlineData("WEATHER")]
    [InlineData("CARRIER_DELAY")]
    [InlineData("ADDRESS_ISSUE")]
    [InlineData("CUSTOMS")]
    [InlineData("DAMAGED")]
    [InlineData("LOST")]
    [InlineData("OTHER")]
    public async Task ACarrierExceptionIsPublishedWithTheCodeOfTheEvent(string code)
    {
        await SendAsync(
            Placed(),
            Created("S-1", Start.AddHours(-1)),
            Tracking(Order, "S-1", Start, "EXCEPTION", Promise.AddDays(2), exceptionCode: code, id: "s-1-exception"));

        var payload = (await test.Database.ReadAsync(
            c => c.QueryAsync<string>("SELECT payload FROM tracker_outbox ORDER BY id"), TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        payload.ShouldContain($"\"exceptionCode\": \"{code}\"");
        var detected = Parser.Parse<DelayEpisodeChanged>(payload);
        detected.Reason.ShouldBe(DelayReason.CarrierException);
        Contracts.WireName.Of(detected.ExceptionCode).ShouldBe(code);
    }

    [Fact]
    public async Task ACancelledOrderIsNeverToldDelivered()
    {
        await SendAsync(Placed(), Created("S-1", Start.AddHours(-1)), OrderCancelled(Order, Start, id: "cancelled"));
        await SendAsync(Delivered("S-1", Start.AddDays(1)));
        await tracker.ReevaluateAsync(Order, TestContext.Current.CancellationToken);

        (await PublishedAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ADeliveryScanBeforeTheOrderIsToldOnceTheOrderArrives()
    {
        await SendAsync(Created("S-1", Start.AddHours(-2)), Delivered("S-1", Start.AddHours(-1)));
        (await PublishedAsync()).ShouldBeEmpty();

        await SendAsync(Placed());

        var delivered = (await PublishedAsync()).ShouldHaveSingleItem();
        delivered.Kind.ShouldBe(MessageKind.Delivered);
        delivered.DeliveredAt.ToDateTimeOffset().ShouldBe(Start.AddHours(-1));
    }

    [Fact]
    public async Task AnOrderResolvedByDeliveryBeforeTheUpgradeCountsAsTold()
    {
        var ct = TestContext.Current.CancellationToken;
        var closedAt = Start.AddDays(1);
        var before = TrackerSchema.Migrations with { Steps = [.. TrackerSchema.Migrations.Steps.Take(3)] };
        await using var old = await TestDatabase.CreateAsync(Kind, before);
        await old.Database.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                """
                INSERT INTO tracker_orders (order_id, sequence) VALUES ('O-1', 2), ('O-2', 1);
                INSERT INTO tracker_episodes (episode_id, order_id, number, reason, opened_at, closed_at, resolution)
                VALUES ('O-1/delay-1', 'O-1', 1, 'EtaSlip', 0, @closed, 'Delivered'), ('O-2/delay-1', 'O-2', 1, 'EtaSlip', 0, NULL, NULL);
                """,
                new { closed = closedAt.ToUnixTimeMilliseconds() },
                tx),
            ct);

        await old.Database.MigrateAsync(TrackerSchema.Migrations, ct);

        var told = (await old.Database.ReadAsync(
            c => c.QueryAsync<(string OrderId, long? At)>("SELECT order_id, delivered_published_at FROM tracker_orders ORDER BY order_id"), ct)).ToList();
        told.ShouldBe([("O-1", closedAt.ToUnixTimeMilliseconds()), ("O-2", (long?)null)]);
    }
}
