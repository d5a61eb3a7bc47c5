using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Storage;
using Proactive.Standalone.Demo;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>What someone who can post events tries to make Proactive send, through the real host, on SQLite.</summary>
public sealed class MessageAbuseTestsOnSqlite : MessageAbuseTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class MessageAbuseTestsOnPostgres : MessageAbuseTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract class MessageAbuseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = Now.AddDays(2);

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private static JsonObject[] LateOrder(string order, string? trackingUrl = null, JsonObject? customer = null)
    {
        var placed = OrderPlaced(order, Now.AddHours(-3), Promise, customer);
        if (trackingUrl is not null)
        {
            placed["data"]!["trackingUrl"] = trackingUrl;
        }

        return [placed, ShipmentCreated(order, $"S-{order}", Now.AddHours(-1), Promise.AddDays(2))];
    }

    [Fact]
    public async Task ALinkToAForeignHostNeverReachesTheCustomerButTheNewsDoesOnBothChannels()
    {
        await host.AcceptAsync(LateOrder("A-1", "https://evil.example/verify?account=locked"));
        await host.AcceptAsync(LateOrder("A-2", "https://shop.example.evil.example/orders/A-2"));
        await host.AcceptAsync(LateOrder("A-3"));
        await host.DrainAsync();

        host.Twilio.Messages.Count.ShouldBe(3);
        host.SendGrid.Mails.Count.ShouldBe(3);
        foreach (var text in host.Twilio.Messages.Select(m => m.Body).Concat(host.SendGrid.RawBodies))
        {
            text.ShouldNotContain("evil");
        }

        host.Twilio.Messages.ShouldContain(m => m.Body.Contains("주문 A-1 배송이 늦어지고 있어요", StringComparison.Ordinal));
        host.SendGrid.Mails.ShouldContain(m => m.Subject.Contains("A-1", StringComparison.Ordinal));
        host.Twilio.Messages.ShouldContain(m => m.Body.EndsWith("https://shop.example/orders/A-3", StringComparison.Ordinal));
        host.SendGrid.Mails.ShouldContain(m => m.Html.Contains("href=\"https://shop.example/orders/A-3\"", StringComparison.Ordinal));

        foreach (var order in new[] { "A-1", "A-2" })
        {
            var notices = (await host.NoticesAsync(order)).EnumerateArray().ToList();
            notices.Count.ShouldBe(2);
            notices.ShouldAllBe(n => n.GetProperty("status").GetString() == "sent");
            notices.ShouldAllBe(n => n.GetProperty("notes").GetString() == "link left out: host not in Proactive:Notices:AllowedLinkHosts");
        }

        (await host.NoticesAsync("A-3")).EnumerateArray().ShouldAllBe(n => n.GetProperty("notes").GetString() == "");
    }

    [Fact]
    public async Task AnOrderIdShapedLikeAMessageIsShownOnlyInItsSafeForm()
    {
        const string order = "ACCOUNT.LOCKED.verify.at.evil.example";
        await host.AcceptAsync(LateOrder(order, "https://shop.example/orders/42", EnglishCustomer()));
        await host.DrainAsync();

        var sms = host.Twilio.Messages.ShouldHaveSingleItem().Body;
        var mail = host.SendGrid.Mails.ShouldHaveSingleItem();
        sms.ShouldStartWith("[Proactive] Order ...rifyatevilexample: your delivery is running late.");
        sms.ShouldEndWith("https://shop.example/orders/42");
        mail.Subject.ShouldBe("Your order ...rifyatevilexample is delayed");
        foreach (var text in new[] { sms, mail.Subject, mail.Text, mail.Html })
        {
            text.ShouldNotContain("evil.example");
            text.ShouldNotContain("LOCKED.");
        }
    }

    [Fact]
    public async Task TheSegmentLimitComesFromConfiguration()
    {
        await using var strict = await StandaloneHost.StartAsync(store: Store, settings: [new("Proactive:Notices:MaxSmsSegments", "1")]);

        await strict.AcceptAsync(LateOrder("ORDER-2026-000123456"));
        await strict.DrainAsync();

        var sms = strict.Twilio.Messages.ShouldHaveSingleItem().Body;
        Proactive.Notifier.Messages.SmsSegments.Count(sms).ShouldBe(1);
        sms.ShouldContain("새 도착 예정일");
        sms.ShouldNotContain("죄송합니다");
        var notice = (await strict.NoticesAsync("ORDER-2026-000123456")).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        notice.GetProperty("notes").GetString().ShouldBe("link left out: it does not fit an SMS of 1 segment(s) (Proactive:Notices:MaxSmsSegments)");
    }

    [Fact]
    public async Task BadNoticeOptionsStopTheHostNamingTheKey()
    {
        var (exitCode, output) = await StartRefusals.RunAsync(("Proactive:Notices:MaxSmsSegments", "0"), ("Proactive:Notices:AllowedLinkHosts:0", "shop.example"), ("Proactive:Notices:AllowedLinkHosts:1", "https://shop.example/"));

        exitCode.ShouldNotBe(0);
        output.ShouldContain("Proactive:Notices:MaxSmsSegments must be at least 1");
        output.ShouldContain("Proactive:Notices:AllowedLinkHosts:1 'https://shop.example/' is not a host name");
    }

    [Fact]
    public void TheDemoAllowsTheHostOfItsOwnTrackingLinks()
    {
        var allowed = DemoScenario.Settings.Where(s => s.Key.StartsWith("Proactive:Notices:AllowedLinkHosts:", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        var links = DemoScenario.Events(Now)
            .Select(e => e.Event["data"]?["trackingUrl"]?.GetValue<string>())
            .OfType<string>()
            .ToList();

        links.ShouldNotBeEmpty();
        links.ShouldAllBe(l => allowed.Contains(new Uri(l).Host));
    }
}
