using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>The last call end to end on SQLite: told at 09:00 Seoul on the promise day, before the promise passes.</summary>
public sealed class LastCallTestsOnSqlite : LastCallTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class LastCallTestsOnPostgres : LastCallTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract class LastCallTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start; // 24 November, 10:00 in Seoul
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset LastCall = new(2026, 11, 26, 9, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private async Task AdvanceToAsync(DateTimeOffset at) => await host.AdvanceAsync(at - host.Time.GetUtcNow());

    [Fact]
    public async Task AnOrderNotOutForDeliveryIsToldAtNineOnThePromiseDayBeforeThePromisePasses()
    {
        await host.AcceptAsync(
            OrderPlaced("L-1", Now.AddHours(-3), Promise),
            ShipmentCreated("L-1", "S-1", Now.AddHours(-1), null));
        await host.DrainAsync();

        await AdvanceToAsync(LastCall.AddMilliseconds(-1));
        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);

        await AdvanceToAsync(LastCall);

        host.Time.GetUtcNow().ShouldBeLessThan(Promise);
        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("약속드린 날짜까지 도착하지 못할 수도 있어요.");
        host.SendGrid.Mails.ShouldHaveSingleItem().Subject.ShouldBe("주문 L-1 배송 지연 가능성 안내");
        var notices = (await host.NoticesAsync("L-1")).EnumerateArray().ToList();
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.GetProperty("status").GetString() == "sent" && n.GetProperty("reason").GetString() == "PROMISE_AT_RISK");
        (await host.OrderAsync("L-1")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("PROMISE_AT_RISK");

        // The promise then passes: the same episode, nothing new to tell.
        await AdvanceToAsync(Promise.AddMinutes(1));
        (await host.OrderAsync("L-1")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("MISSED_PROMISE");
        host.Twilio.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task AnOrderOutForDeliveryOrDeliveredIsNotCalled()
    {
        await host.AcceptAsync(
            OrderPlaced("L-2", Now.AddHours(-3), Promise),
            ShipmentCreated("L-2", "S-2", Now.AddHours(-1), null),
            Tracking("L-2", "S-2", Now, "OUT_FOR_DELIVERY"),
            OrderPlaced("L-3", Now.AddHours(-3), Promise),
            ShipmentCreated("L-3", "S-3", Now.AddHours(-1), null),
            Tracking("L-3", "S-3", Now, "DELIVERED"));
        await host.DrainAsync();

        // Before the out-for-delivery parcel could stall (48 h after its scan, 10:00 on the promise day).
        await AdvanceToAsync(LastCall.AddMinutes(30));

        (await host.OrderAsync("L-2")).GetProperty("state").GetString().ShouldBe("on_track");
        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task AnOrderAlreadyToldOfADelayGetsNoSecondNoticeFromTheLastCall()
    {
        await host.AcceptAsync(OrderPlaced("L-4", Now.AddHours(-3), Promise, shipBy: Now.AddHours(1)));
        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("아직 출고되지 않았어요.");

        await AdvanceToAsync(LastCall.AddHours(1));

        (await host.OrderAsync("L-4")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("NOT_SHIPPED");
        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task TheLastCallComesFromConfiguration()
    {
        await using var late = await StandaloneHost.StartAsync(store: Store, settings: [new("Proactive:Tracker:LastCallAt", "11:30")]);
        await using var off = await StandaloneHost.StartAsync(store: Store, settings: [new("Proactive:Tracker:LastCall", "false")]);
        foreach (var h in new[] { late, off })
        {
            await h.AcceptAsync(OrderPlaced("L-5", Now.AddHours(-3), Promise), ShipmentCreated("L-5", "S-5", Now.AddHours(-1), null));
            await h.DrainAsync();
            await h.AdvanceAsync(LastCall.AddHours(2.5).AddMilliseconds(-1) - h.Time.GetUtcNow());
            h.Twilio.Requests.ShouldBe(0);
        }

        await late.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        late.Twilio.Messages.ShouldHaveSingleItem();
        await off.AdvanceAsync(Promise.AddMilliseconds(-1) - off.Time.GetUtcNow());
        off.Twilio.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task ACustomerWithoutAZoneIsCalledInTheNoticesDefaultZone()
    {
        await using var seoul = await StandaloneHost.StartAsync(store: Store, settings: [new("Proactive:Notices:DefaultTimeZone", "Asia/Seoul")]);
        var customer = KoreanCustomer();
        customer.Remove("timeZone");
        await seoul.AcceptAsync(OrderPlaced("L-6", Now.AddHours(-3), Promise, customer), ShipmentCreated("L-6", "S-6", Now.AddHours(-1), null));
        await seoul.DrainAsync();

        await seoul.AdvanceAsync(LastCall - seoul.Time.GetUtcNow());

        (await seoul.OrderAsync("L-6")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("PROMISE_AT_RISK");
        seoul.Twilio.Messages.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task BadLastCallOptionsStopTheHostNamingTheKey()
    {
        var (exitCode, output) = await StartRefusals.RunAsync(("Proactive:Tracker:LastCallAt", "9am"), ("Proactive:Tracker:DefaultTimeZone", "Mars/Olympus"));

        exitCode.ShouldNotBe(0);
        output.ShouldContain("Proactive:Tracker:LastCallAt must be a time of day HH:mm");
        output.ShouldContain("Proactive:Tracker:DefaultTimeZone (or Proactive:Notices:DefaultTimeZone) must be an IANA time zone");
    }
}
