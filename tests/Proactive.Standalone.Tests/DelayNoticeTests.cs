using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Order and shipment events in over HTTP, delay notices out through Twilio and SendGrid: on SQLite.</summary>
public sealed class DelayNoticeTestsOnSqlite : DelayNoticeTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class DelayNoticeTestsOnPostgres : DelayNoticeTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract class DelayNoticeTests : IAsyncLifetime
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private static JsonObject[] Scenario(string order = Order) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, shipBy: Now.AddDays(1), id: $"{order}-placed"),
        ShipmentCreated(order, "S-9001", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, "S-9001", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    [Fact]
    public async Task AnEtaSlipPastThePromiseSendsOneSmsAndOneEmail()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        var sms = host.Twilio.Messages.ShouldHaveSingleItem();
        sms.To.ShouldBe(KoreanPhone);
        sms.Body.ShouldContain("11월 28일(토)");
        sms.Body.ShouldContain($"https://shop.example/orders/{Order}");
        var mail = host.SendGrid.Mails.ShouldHaveSingleItem();
        mail.To.ShouldBe(KoreanEmail);
        mail.Subject.ShouldContain(Order);
        mail.Text.ShouldContain("11월 28일 토요일");

        var notices = (await host.NoticesAsync(Order)).EnumerateArray().ToList();
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.GetProperty("status").GetString() == "sent" && n.GetProperty("reason").GetString() == "ETA_SLIP");
        notices.Select(n => n.GetProperty("channel").GetString()).Order().ShouldBe(["EMAIL", "SMS"]);
        notices.Single(n => n.GetProperty("channel").GetString() == "SMS").GetProperty("providerMessageId").GetString()!.ShouldStartWith("SM");
        notices.Single(n => n.GetProperty("channel").GetString() == "SMS").GetProperty("recipient").GetString().ShouldBe("+82******5678");
        notices.ShouldAllBe(n => n.GetProperty("attempts").GetInt32() == 1 && n.GetProperty("sentAt").GetString() != null);
    }

    [Fact]
    public async Task TheSameEventsPostedTwiceChangeNothing()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        foreach (var e in Scenario())
        {
            using var response = await host.PostAsync(e["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders", e);
            ((int)response.StatusCode).ShouldBe(202);
            (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("status").GetString().ShouldBe("duplicate");
        }

        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Requests.ShouldBe(1);
        (await host.NoticesAsync(Order)).GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task EventsInReverseOrderGiveTheSameNotices()
    {
        await host.AcceptAsync(Scenario().Reverse().ToArray());
        await host.DrainAsync();

        host.Twilio.Messages.ShouldHaveSingleItem().Body
            .ShouldBe("[Proactive] 주문 A-1001 배송이 늦어지고 있어요. 새 도착 예정일: 11월 28일(토). 죄송합니다. https://shop.example/orders/A-1001");
        host.SendGrid.Mails.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task AChangeRedeliveredAfterTheInboxForgotItStillSendsNothing()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        var store = host.Services.GetRequiredService<Notifier.Store.NoticeStore>();
        var first = (await host.Services.GetRequiredService<Tracker.Store.TrackerStore>().Database.ReadAsync(
            c => Dapper.SqlMapper.QuerySingleAsync<string>(c, "SELECT payload FROM tracker_outbox ORDER BY id LIMIT 1"), TestContext.Current.CancellationToken));

        host.Time.Advance(TimeSpan.FromDays(31));
        (await store.PruneInboxAsync(host.Time.GetUtcNow() - TimeSpan.FromDays(30), TestContext.Current.CancellationToken)).ShouldBe(1);
        var change = Google.Protobuf.JsonParser.Default.Parse<Contracts.Tracker.V1.DelayEpisodeChanged>(first);
        (await host.Services.GetRequiredService<Notifier.DelayEpisodeHandler>().HandleAsync("proactive-tracker", $"{Order}/1", change, TestContext.Current.CancellationToken))
            .ShouldBe(Notifier.NewsOutcome.Stale);
        await host.DrainAsync();

        host.Twilio.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task ANoticeClaimedBySenderThatDiedIsSentAfterItsLeaseExpires()
    {
        await host.AcceptAsync(Scenario());
        await host.Services.GetRequiredService<Tracker.Publishing.OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);
        var store = host.Services.GetRequiredService<Notifier.Store.NoticeStore>();

        // A sender claims both notices, then dies before sending.
        var everyChannel = new Dictionary<Notifier.Channel, int> { [Notifier.Channel.Sms] = 50, [Notifier.Channel.Email] = 50 };
        (await store.ClaimDueAsync(host.Time.GetUtcNow(), TimeSpan.FromMinutes(2), everyChannel, TestContext.Current.CancellationToken)).Count.ShouldBe(2);
        await host.DrainAsync();
        host.Twilio.Requests.ShouldBe(0);

        await host.AdvanceAsync(TimeSpan.FromMinutes(2));

        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Requests.ShouldBe(1);
        (await host.NoticesAsync(Order)).EnumerateArray().ShouldAllBe(n => n.GetProperty("status").GetString() == "sent" && n.GetProperty("attempts").GetInt32() == 2);
    }

    [Fact]
    public async Task ASenderWhoseLeaseWasTakenOverCannotSettleTheNotice()
    {
        await host.AcceptAsync(Scenario());
        await host.Services.GetRequiredService<Tracker.Publishing.OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);
        var store = host.Services.GetRequiredService<Notifier.Store.NoticeStore>();
        var smsOnly = new Dictionary<Notifier.Channel, int> { [Notifier.Channel.Sms] = 1 };
        var lease = TimeSpan.FromMinutes(2);

        var stale = (await store.ClaimDueAsync(host.Time.GetUtcNow(), lease, smsOnly, TestContext.Current.CancellationToken)).Single();
        var current = (await store.ClaimDueAsync(host.Time.GetUtcNow() + lease, lease, smsOnly, TestContext.Current.CancellationToken)).Single();
        current.Attempts.ShouldBe(2);

        // The first sender wakes up late and tries to record, release and give back: nothing changes.
        await store.ApplyAsync(Notifier.NoticeLifecycle.Refuse(stale, host.Time.GetUtcNow(), "21211", "late"), TestContext.Current.CancellationToken);
        await store.ApplyAsync(Notifier.NoticeLifecycle.Withdraw(stale, "late"), TestContext.Current.CancellationToken);
        await store.ApplyAsync(Notifier.NoticeLifecycle.GiveBack(stale), TestContext.Current.CancellationToken);
        var sms = (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("status").GetString().ShouldBe("sending");
        sms.GetProperty("attempts").GetInt32().ShouldBe(2);

        await store.ApplyAsync(Notifier.NoticeLifecycle.Accept(current, host.Time.GetUtcNow(), "SM1"), TestContext.Current.CancellationToken);
        (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS").GetProperty("status").GetString().ShouldBe("sent");
    }

    [Fact]
    public async Task AtNightTheEmailGoesNowAndTheSmsAtEightLocalWithTheNewestEstimate()
    {
        // 13:30 UTC is 22:30 in Seoul.
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        host.SendGrid.Mails.ShouldHaveSingleItem();
        host.Twilio.Requests.ShouldBe(0);
        var sms = (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("status").GetString().ShouldBe("deferred");
        sms.GetProperty("why").GetString()!.ShouldContain("held until 2026-11-25 08:00 local");
        DateTimeOffset.Parse(sms.GetProperty("scheduledAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.Zero));

        // During the night the estimate slips a few more hours, past midnight of the next day.
        await host.AcceptAsync(Tracking(Order, "S-9001", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddHours(7), id: "night-update"));
        await host.AdvanceAsync(TimeSpan.FromHours(9.5) - TimeSpan.FromMinutes(1));
        host.Twilio.Requests.ShouldBe(0);

        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("새 도착 예정일: 11월 29일(일)");
        host.SendGrid.Mails.Count.ShouldBe(1);
        var notices = (await host.NoticesAsync(Order)).EnumerateArray().Where(n => n.GetProperty("channel").GetString() == "SMS").ToList();
        notices.Single(n => n.GetProperty("status").GetString() == "sent").GetProperty("text").GetString()!.ShouldContain("11월 29일(일)");
        notices.Single(n => n.GetProperty("status").GetString() == "suppressed").GetProperty("why").GetString()!.ShouldStartWith("replaced by");
    }

    [Fact]
    public async Task TheOrderViewShowsPromiseShipmentsAndTheOpenDelay()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        var order = await host.OrderAsync(Order);

        order.GetProperty("state").GetString().ShouldBe("late");
        DateTimeOffset.Parse(order.GetProperty("promisedBy").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(Promise);
        var shipment = order.GetProperty("shipments")[0];
        shipment.GetProperty("status").GetString().ShouldBe("IN_TRANSIT");
        DateTimeOffset.Parse(shipment.GetProperty("estimatedDeliveryAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(SlippedEta);
        order.GetProperty("delay").GetProperty("reason").GetString().ShouldBe("ETA_SLIP");
        order.GetProperty("delay").GetProperty("episodeId").GetString().ShouldBe($"{Order}/delay-1");
    }

    [Fact]
    public async Task AnUnknownOrderIsNotFound()
    {
        using var response = await host.Client.GetAsync("/v1/orders/NOPE", TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task ACarrierExceptionForAnEnglishCustomerIsToldInEnglish()
    {
        await host.AcceptAsync(
            OrderPlaced("E-1", Now.AddHours(-3), Promise, EnglishCustomer()),
            ShipmentCreated("E-1", "S-1", Now.AddHours(-1), Promise.AddHours(-3)),
            Tracking("E-1", "S-1", Now, "EXCEPTION", SlippedEta, "WEATHER"));
        await host.DrainAsync();

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("bad weather has delayed your delivery. New estimate: Sat, Nov 28.");
        var mail = host.SendGrid.Mails.ShouldHaveSingleItem();
        mail.Html.ShouldContain("Alex &lt;Morgan&gt; &amp; Co");
    }

    [Fact]
    public async Task ASecondSlipOfADayIsToldAgainButASmallOneIsOnlyRecorded()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        await host.AcceptAsync(Tracking(Order, "S-9001", Now.AddHours(1), "IN_TRANSIT", SlippedEta.AddHours(6)));
        await host.DrainAsync();
        host.Twilio.Requests.ShouldBe(1);

        await host.AcceptAsync(Tracking(Order, "S-9001", Now.AddHours(2), "IN_TRANSIT", SlippedEta.AddDays(1)));
        await host.DrainAsync();

        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.Last().Body.ShouldContain("[추가 지연]");
        var notices = (await host.NoticesAsync(Order)).EnumerateArray().ToList();
        notices.Count(n => n.GetProperty("status").GetString() == "suppressed" && n.GetProperty("why").GetString()!.Contains("threshold is 24 h", StringComparison.Ordinal)).ShouldBe(2);
        notices.Count(n => n.GetProperty("kind").GetString() == "FURTHER_DELAY" && n.GetProperty("status").GetString() == "sent").ShouldBe(2);
    }

    [Fact]
    public async Task ANoticeOvertakenByDeliveryIsWithdrawnNotSent()
    {
        await host.AcceptAsync(Scenario());
        await host.Services.GetRequiredService<Tracker.Publishing.OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);

        await host.AcceptAsync(Tracking(Order, "S-9001", Now.AddMinutes(1), "DELIVERED"));
        await host.DrainAsync();

        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);
        var all = (await host.NoticesAsync(Order)).EnumerateArray().ToList();
        var notices = all.Where(n => n.GetProperty("kind").GetString() != "SURVEY").ToList();
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.GetProperty("status").GetString() == "suppressed" && n.GetProperty("why").GetString()!.Contains("DELIVERED", StringComparison.Ordinal));

        // The delivered order's survey cannot be asked here (no public address for its answers): recorded, not sent.
        all.Single(n => n.GetProperty("kind").GetString() == "SURVEY").GetProperty("status").GetString().ShouldBe("suppressed");
        (await host.OrderAsync(Order)).GetProperty("state").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task AnOrderNotShippedByShipByIsNoticedWhenTheClockPassesIt()
    {
        await host.AcceptAsync(OrderPlaced("N-1", Now.AddHours(-3), Now.AddDays(3), shipBy: Now.AddHours(6)));
        await host.DrainAsync();
        host.Twilio.Requests.ShouldBe(0);

        await host.AdvanceAsync(TimeSpan.FromHours(5));
        host.Twilio.Requests.ShouldBe(0);

        await host.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("아직 출고되지 않았어요.");
        (await host.OrderAsync("N-1")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("NOT_SHIPPED");
    }

    [Fact]
    public async Task AMissedPromiseIsNoticedWhenTheClockPassesIt()
    {
        // Promised by 15:00 in Seoul (06:00 UTC): the missed promise is noticed in the daytime.
        await host.AcceptAsync(
            OrderPlaced("M-1", Now.AddHours(-3), Now.AddHours(5)),
            ShipmentCreated("M-1", "S-1", Now, Now.AddHours(4)));
        await host.DrainAsync();

        await host.AdvanceAsync(TimeSpan.FromHours(6));

        (await host.OrderAsync("M-1")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("MISSED_PROMISE");
        host.Twilio.Messages.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task AParcelWithoutTrackingUpdatesFor48HoursIsNoticedWhenTheClockReachesIt()
    {
        // Last scanned at 10:00 in Seoul and promised three days later: stalled two days later at 10:00.
        await host.AcceptAsync(
            OrderPlaced("T-1", Now.AddHours(-3), Now.AddDays(3)),
            ShipmentCreated("T-1", "S-1", Now.AddHours(-1), Now.AddDays(2)),
            Tracking("T-1", "S-1", Now, "IN_TRANSIT"));
        await host.DrainAsync();

        await host.AdvanceAsync(TimeSpan.FromHours(48) - TimeSpan.FromMilliseconds(1));
        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);
        (await host.OrderAsync("T-1")).GetProperty("state").GetString().ShouldBe("on_track");

        await host.AdvanceAsync(TimeSpan.FromMilliseconds(1));

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("한동안 배송 조회 정보가 업데이트되지 않고 있어요.");
        host.SendGrid.Mails.ShouldHaveSingleItem();
        (await host.OrderAsync("T-1")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("STALLED");

        // The parcel moves again: the delay is over, and the customer hears the good news once.
        await host.AcceptAsync(Tracking("T-1", "S-1", host.Time.GetUtcNow(), "IN_TRANSIT"));
        await host.DrainAsync();
        var order = await host.OrderAsync("T-1");
        order.GetProperty("state").GetString().ShouldBe("on_track");
        order.GetProperty("episodes").EnumerateArray().ShouldHaveSingleItem().GetProperty("resolution").GetString().ShouldBe("RECOVERED", order.ToString());
        host.Twilio.Requests.ShouldBe(2);
        host.Twilio.Messages.Last().Body.ShouldContain("좋은 소식");
    }

    [Fact]
    public async Task StallAfterComesFromConfiguration()
    {
        await using var dayHost = await StandaloneHost.StartAsync(store: Store, settings: [new("Proactive:Tracker:StallAfter", "1.00:00:00")]);
        await dayHost.AcceptAsync(
            OrderPlaced("T-2", Now.AddHours(-3), Now.AddDays(2)),
            ShipmentCreated("T-2", "S-1", Now.AddHours(-1), Now.AddDays(1)),
            Tracking("T-2", "S-1", Now, "IN_TRANSIT"));
        await dayHost.DrainAsync();

        await dayHost.AdvanceAsync(TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1));
        (await dayHost.OrderAsync("T-2")).GetProperty("state").GetString().ShouldBe("on_track");

        await dayHost.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        (await dayHost.OrderAsync("T-2")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("STALLED");
        dayHost.Twilio.Messages.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task TwilioFailingTwiceThenSucceedingSendsExactlyOneSms()
    {
        host.Twilio.ReplyError(500, 20500, "Internal Server Error");
        host.Twilio.ReplyError(503, 20503, "Service Unavailable");
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        host.Twilio.Messages.ShouldBeEmpty();

        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        host.Twilio.Messages.ShouldBeEmpty();
        await host.AdvanceAsync(TimeSpan.FromSeconds(60));

        host.Twilio.Messages.ShouldHaveSingleItem();
        host.Twilio.Requests.ShouldBe(3);
        var sms = (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("status").GetString().ShouldBe("sent");
        sms.GetProperty("attempts").GetInt32().ShouldBe(3);
        sms.GetProperty("providerCode").GetString().ShouldBe("20503");
    }

    [Fact]
    public async Task APermanentTwilioErrorIsRecordedAsFailedWithItsCode()
    {
        host.Twilio.ReplyError(400, 21211, "The 'To' number +821012345678 is not a valid phone number.");
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(2));

        host.Twilio.Requests.ShouldBe(1);
        var sms = (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("status").GetString().ShouldBe("failed");
        sms.GetProperty("providerCode").GetString().ShouldBe("21211");
        sms.GetProperty("why").GetString()!.ShouldContain("21211");
        sms.GetProperty("why").GetString()!.ShouldNotContain("821012345678");
        host.SendGrid.Mails.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task TheOrderCapHoldsBackAThirdNoticeWithinADay()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        await host.AcceptAsync(Tracking(Order, "S-9001", Now.AddHours(1), "IN_TRANSIT", SlippedEta.AddDays(1)));
        await host.DrainAsync();
        await host.AcceptAsync(Tracking(Order, "S-9001", Now.AddHours(2), "IN_TRANSIT", SlippedEta.AddDays(2)));
        await host.DrainAsync();

        host.Twilio.Messages.Count.ShouldBe(2);
        (await host.NoticesAsync(Order)).EnumerateArray()
            .Count(n => n.GetProperty("why").GetString()!.StartsWith("order cap", StringComparison.Ordinal)).ShouldBe(2);
    }
}
