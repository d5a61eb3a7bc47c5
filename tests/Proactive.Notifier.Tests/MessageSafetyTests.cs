using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Messages;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

/// <summary>What whoever can post events may not do through a message: link elsewhere, write a sentence, flood the SMS queue, break rendering.</summary>
public class MessageSafetyTests
{
    private static readonly NoticePolicyOptions Options = new() { SenderName = "Shop", AllowedLinkHosts = ["shop.example"] };

    [Theory]
    [InlineData("https://shop.example/orders/A-1001", "https://shop.example/orders/A-1001")]
    [InlineData("https://track.shop.example/A-1001?x=1#top", "https://track.shop.example/A-1001?x=1#top")]
    [InlineData("https://SHOP.example./a", "https://shop.example/a")]
    [InlineData("https://shop.example:8443/a b", "https://shop.example:8443/a%20b")]
    public void ALinkToAnAllowedHostIsKeptInItsCanonicalForm(string url, string link)
    {
        TrackingLink.Check(url, Options.AllowedLinkHosts).ShouldBe(new LinkCheck(link, null));
    }

    [Theory]
    [InlineData("https://evil.example/verify")]
    [InlineData("https://shop.example.evil.example/orders/A-1001")]
    [InlineData("https://evilshop.example/")]
    [InlineData("https://xn--shop-example.evil/")]
    [InlineData("https://shop.example@evil.example/")]
    [InlineData("https://user:pw@shop.example/")]
    [InlineData("http://shop.example/orders/A-1001")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://93.184.216.34/")]
    [InlineData("https://[::1]/")]
    [InlineData("not a url")]
    [InlineData("https://򠂐󑫑4-2-yY🟂z96yA🌎x-by8")]
    public void ALinkAnywhereElseIsLeftOutWithTheReason(string url)
    {
        var check = TrackingLink.Check(url, Options.AllowedLinkHosts);

        check.Link.ShouldBeNull();
        check.LeftOut.ShouldNotBeNull().ShouldStartWith("link left out:");
    }

    [Fact]
    public void AnIpAddressIsAllowedOnlyWhenListed()
    {
        TrackingLink.Check("https://93.184.216.34/o", ["93.184.216.34"]).Link.ShouldBe("https://93.184.216.34/o");
        TrackingLink.Check("https://93.184.216.35/o", ["93.184.216.34"]).Link.ShouldBeNull();
    }

    [Fact]
    public void AForeignLinkIsLeftOutOfSmsAndEmailAndTheNoticeSaysSo()
    {
        var news = Detected(English()) with { TrackingUrl = "https://evil.example/verify" };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options);
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options);

        sms.Text.ShouldBe("[Shop] Order A-1001: your delivery is running late. New estimate: Sat, Nov 28. Sorry for the wait.");
        email.Text.ShouldNotContain("evil");
        email.Text.ShouldNotContain("Track your order");
        email.Html!.ShouldNotContain("evil");
        email.Html!.ShouldNotContain("href");
        sms.Notes.ShouldBe(TrackingLink.NotAllowed);
        email.Notes.ShouldBe(TrackingLink.NotAllowed);
    }

    [Fact]
    public void WithoutAllowedHostsNoMessageCarriesALink()
    {
        var none = new NoticePolicyOptions();

        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(), none).Text.ShouldNotContain("https://");
        NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, Detected(), none).Html!.ShouldNotContain("href");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(), Options).Text.ShouldEndWith("https://shop.example/orders/A-1001");
    }

    [Theory]
    [InlineData("A-1001", "A-1001")]
    [InlineData("ORDER-2026-000123456", "ORDER-2026-000123456")]
    [InlineData("shop.example/a b", "shopexampleab")]
    [InlineData("ACCOUNT LOCKED, verify at https://evil.example", "...thttpsevilexample")]
    [InlineData("주문번호", null)]
    [InlineData("", null)]
    public void TheOrderIdIsShownOnlyInASafeBoundedForm(string orderId, string? shown)
    {
        SafeText.OrderReference(orderId).ShouldBe(shown);
    }

    [Fact]
    public void AHostileOrderIdNeitherLinksNorSpeaksInTheMessages()
    {
        var news = Detected(English()) with { OrderId = "ACCOUNT LOCKED, verify at https://evil.example" };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text;
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options);

        sms.ShouldStartWith("[Shop] Order ...thttpsevilexample: your delivery is running late.");
        foreach (var text in new[] { sms, email.Subject!, email.Text, email.Html! })
        {
            text.ShouldNotContain("evil.example");
            text.ShouldNotContain("LOCKED,");
        }
    }

    [Fact]
    public void AnOrderIdWithNothingSafeLeavesTheReferenceOut()
    {
        var news = Detected(English()) with { OrderId = "주문/번호" };

        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text.ShouldStartWith("[Shop] Order: your delivery");
        NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options).Subject.ShouldBe("Your order is delayed");
    }

    [Theory]
    [InlineData("김민지", "김민지")]
    [InlineData("Alex <Morgan> & Co", "Alex <Morgan> & Co")]
    [InlineData("J. R. R. O'Neil-Smith", "J. R. R. O'Neil-Smith")]
    [InlineData("  Ana  ", "Ana")]
    [InlineData("Jr.", null)]
    [InlineData("Verify at evil.example", null)]
    [InlineData("evil。example", null)]
    [InlineData("https://evil", null)]
    [InlineData("call 010-1234-5678", null)]
    [InlineData("me@evil", null)]
    [InlineData("Ana\u202Eelpmaxe", null)]
    [InlineData("Ana\nACCOUNT LOCKED", null)]
    [InlineData("Ana \ufffd", null)]
    [InlineData("An extremely long name that goes on and on", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void TheGreetingUsesTheNameOnlyWhenItCannotCarryALinkOrANumber(string? name, string? used)
    {
        SafeText.GreetingName(name).ShouldBe(used);
    }

    [Fact]
    public void ANameWithALoneSurrogateIsNotUsed()
    {
        SafeText.GreetingName("Ana \ud800").ShouldBeNull();
        SafeText.GreetingName("Ana \udc00 Lee").ShouldBeNull();
        SafeText.GreetingName("Ana 😀").ShouldBe("Ana 😀");
    }

    [Fact]
    public void AnUnusableNameGetsThePlainGreeting()
    {
        var news = Detected(English() with { Name = "Verify at evil.example" });

        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options);

        email.Text.ShouldStartWith("Hello,");
        email.Html!.ShouldNotContain("evil");
    }

    [Theory]
    [InlineData("en-US", 1)]
    [InlineData("ko-KR", 1)]
    [InlineData("en-US", 2)]
    [InlineData("ko-KR", 2)]
    [InlineData("ko-KR", 3)]
    public void AnSmsNeverExceedsTheSegmentLimitWhateverItCarries(string locale, int limit)
    {
        var options = new NoticePolicyOptions { SenderName = "Shop", AllowedLinkHosts = ["shop.example"], MaxSmsSegments = limit };
        var news = Detected(English() with { Locale = locale }, reason: DelayReason.CarrierException, code: "DAMAGED") with
        {
            OrderId = new string('7', 20_000),
            TrackingUrl = "https://shop.example/" + new string('x', 400),
        };

        foreach (var kind in Enum.GetValues<NoticeKind>())
        {
            var sms = NoticeRenderer.Render(Channel.Sms, kind, news, options).Text;
            SmsSegments.Count(sms).ShouldBeLessThanOrEqualTo(limit, sms);
        }
    }

    [Fact]
    public void TheSmsIsShortenedBeforeItsLinkIsDropped()
    {
        var options = new NoticePolicyOptions { SenderName = "Shop", AllowedLinkHosts = ["shop.example"], MaxSmsSegments = 1 };
        var news = Detected(English()) with { OrderId = "ORDER-2026-000123456", TrackingUrl = "https://shop.example/orders/ORDER-2026-000123456" };
        var longer = news with { TrackingUrl = news.TrackingUrl + "?utm_source=sms-notice" };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, options);
        var shorter = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, longer, options);

        // First the apology goes, then the order reference is shortened; the link stays.
        sms.Text.ShouldBe("[Shop] Order ORDER-2026-000123456: your delivery is running late. New estimate: Sat, Nov 28. https://shop.example/orders/ORDER-2026-000123456");
        shorter.Text.ShouldBe("[Shop] Order ...23456: your delivery is running late. New estimate: Sat, Nov 28. https://shop.example/orders/ORDER-2026-000123456?utm_source=sms-notice");
        SmsSegments.Count(sms.Text).ShouldBe(1);
        SmsSegments.Count(shorter.Text).ShouldBe(1);
        sms.Notes.ShouldBeNull();
    }

    [Fact]
    public void ALinkThatCannotFitIsLeftOutAndNoted()
    {
        var options = new NoticePolicyOptions { SenderName = "Shop", AllowedLinkHosts = ["shop.example"], MaxSmsSegments = 1 };
        var news = Detected(English()) with { TrackingUrl = "https://shop.example/" + new string('x', 200) };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, options);

        sms.Text.ShouldNotContain("https://");
        sms.Text.ShouldContain("New estimate: Sat, Nov 28.");
        sms.Notes.ShouldNotBeNull().ShouldContain("does not fit an SMS of 1 segment(s)");
    }

    [Fact]
    public void ASenderNameTooLongForTheLimitIsCut()
    {
        var options = new NoticePolicyOptions { SenderName = new string('S', 400), MaxSmsSegments = 2 };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(English()), options);

        SmsSegments.Count(sms.Text).ShouldBe(2);
        sms.Text.ShouldEndWith("...");
        sms.Notes.ShouldNotBeNull().ShouldContain("text cut to 2 SMS segment(s)");
    }

    [Theory]
    [InlineData("Asia/Seoul")]
    [InlineData("Pacific/Kiritimati")]
    [InlineData("America/New_York")]
    [InlineData("Not/AZone")]
    public void AnInstantAtTheEndOfTimeRendersWithoutItsDate(string zone)
    {
        var endOfTime = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);
        var news = Detected(English() with { TimeZone = zone }, eta: endOfTime) with { PromisedBy = endOfTime.AddDays(-1) };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text;
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options).Text;

        if (zone is "Asia/Seoul" or "Pacific/Kiritimati")
        {
            sms.ShouldContain("We will tell you the new date");
            email.ShouldContain("We will tell you the new date");
        }
        else
        {
            sms.ShouldContain("New estimate: Fri, Dec 31.");
        }
    }

    [Fact]
    public void TheFirstInstantRendersWestOfUtc()
    {
        LocalDates.InZone(DateTimeOffset.MinValue, "America/New_York").ShouldBeNull();
        LocalDates.InZone(DateTimeOffset.MinValue, "Asia/Seoul").ShouldBe(new NodaTime.LocalDate(1, 1, 1));
        LocalDates.InZone(DateTimeOffset.MaxValue, "Asia/Seoul").ShouldBeNull();
        LocalDates.InZone(DateTimeOffset.MaxValue, "").ShouldBe(new NodaTime.LocalDate(9999, 12, 31));
    }

    [Fact]
    public void TruncationNeverSplitsASurrogatePair()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 100));

        var cut = SmsSegments.Truncate(emoji, 1);

        SmsSegments.Count(cut).ShouldBe(1);
        cut.ShouldEndWith("...");
        char.IsHighSurrogate(cut[^4]).ShouldBeFalse();
    }

    [Fact]
    public void OptionsNameEveryKeyAtFault()
    {
        new NoticePolicyOptions().Problems().ShouldBeEmpty();
        new NoticePolicyOptions { AllowedLinkHosts = ["shop.example", "93.184.216.34", "[::1]"] }.Problems().ShouldBeEmpty();

        new NoticePolicyOptions
        {
            MaxSmsSegments = 0,
            AllowedLinkHosts = ["shop.example", "https://evil.example", "*.example.com", "com", "", "shop.example:443"],
            DefaultTimeZone = "Mars/Olympus",
        }.Problems().ShouldBe(
        [
            "Proactive:Notices:MaxSmsSegments must be at least 1",
            "Proactive:Notices:AllowedLinkHosts:1 'https://evil.example' is not a host name with a domain, e.g. track.example.com (no scheme, path, port or wildcard)",
            "Proactive:Notices:AllowedLinkHosts:2 '*.example.com' is not a host name with a domain, e.g. track.example.com (no scheme, path, port or wildcard)",
            "Proactive:Notices:AllowedLinkHosts:3 'com' is not a host name with a domain, e.g. track.example.com (no scheme, path, port or wildcard)",
            "Proactive:Notices:AllowedLinkHosts:4 is empty",
            "Proactive:Notices:AllowedLinkHosts:5 'shop.example:443' is not a host name with a domain, e.g. track.example.com (no scheme, path, port or wildcard)",
            "Proactive:Notices:DefaultTimeZone 'Mars/Olympus' is not an IANA time zone, e.g. Asia/Seoul",
        ]);
    }
}
