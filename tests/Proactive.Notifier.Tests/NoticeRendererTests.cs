using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Messages;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

public class NoticeRendererTests
{
    private static readonly NoticePolicyOptions Options = new() { SenderName = "Shop", AllowedLinkHosts = ["shop.example", "shop.example.co.kr"] };

    public static TheoryData<DelayReason, string?> Reasons => new()
    {
        { DelayReason.EtaSlip, null },
        { DelayReason.CarrierException, "WEATHER" },
        { DelayReason.CarrierException, "CARRIER_DELAY" },
        { DelayReason.CarrierException, "ADDRESS_ISSUE" },
        { DelayReason.CarrierException, "CUSTOMS" },
        { DelayReason.CarrierException, "DAMAGED" },
        { DelayReason.CarrierException, "LOST" },
        { DelayReason.CarrierException, "OTHER" },
        { DelayReason.DeliveryAttempted, null },
        { DelayReason.NotShipped, null },
        { DelayReason.MissedPromise, null },
        { DelayReason.ReturnedToSender, null },
        { DelayReason.Stalled, null },
        { DelayReason.PromiseAtRisk, null },
        { DelayReason.PredictedLate, null },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public void KoreanSmsFitsTwoSegmentsForEveryReason(DelayReason reason, string? code)
    {
        var news = Detected(reason: reason, code: code) with { OrderId = "ORDER-2026-000123456", TrackingUrl = "https://shop.example.co.kr/mypage/orders/ORDER-2026-000123456" };

        foreach (var kind in Enum.GetValues<NoticeKind>())
        {
            var sms = NoticeRenderer.Render(Channel.Sms, kind, news, Options).Text;
            SmsSegments.IsGsm7(sms).ShouldBeFalse();
            SmsSegments.Count(sms).ShouldBeLessThanOrEqualTo(2, sms);
        }
    }

    [Fact]
    public void AStalledParcelIsToldThatTrackingHasGoneQuiet()
    {
        var news = Detected(English(), reason: DelayReason.Stalled);

        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text
            .ShouldStartWith("[Shop] Order A-1001: your parcel has had no tracking update for a while.");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(reason: DelayReason.Stalled), Options).Text
            .ShouldContain("한동안 배송 조회 정보가 업데이트되지 않고 있어요.");
    }

    [Fact]
    public void APromiseAtRiskIsToldSofterThanADelayInEnglishAndKorean()
    {
        var english = Detected(English(), reason: DelayReason.PromiseAtRisk);
        var korean = Detected(reason: DelayReason.PromiseAtRisk);

        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, english, Options).Text
            .ShouldStartWith("[Shop] Order A-1001: your order may not arrive by the promised date; we are watching it closely.");
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, english, Options);
        email.Subject.ShouldBe("Your order A-1001 may arrive late");
        email.Text.ShouldContain("Your order may not arrive by the promised date; we are watching it closely.");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, korean, Options).Text
            .ShouldContain("약속드린 날짜까지 도착하지 못할 수도 있어요. 계속 확인하고 있어요.");
        NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, korean, Options).Subject.ShouldBe("주문 A-1001 배송 지연 가능성 안내");
    }

    [Fact]
    public void TheKoreanSmsSaysWhatHappenedTheNewLocalDateAndTheLink()
    {
        // 2026-11-28 16:00 UTC is Sunday 29 November in Seoul.
        var news = Detected(eta: new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.Zero));

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text;

        sms.ShouldBe("[Shop] 주문 A-1001 배송이 늦어지고 있어요. 새 도착 예정일: 11월 29일(일). 죄송합니다. https://shop.example/orders/A-1001");
    }

    [Fact]
    public void EnglishDatesAreInTheCustomersZone()
    {
        // 2026-11-28 03:00 UTC is still Friday 27 November in New York.
        var news = Detected(English(), new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero), DelayReason.CarrierException, "WEATHER");

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text;

        sms.ShouldBe("[Shop] Order A-1001: bad weather has delayed your delivery. New estimate: Fri, Nov 27. Sorry for the wait. https://shop.example/orders/A-1001");
        SmsSegments.Count(sms).ShouldBe(1);
    }

    [Fact]
    public void AnUnknownLanguageFallsBackToEnglish()
    {
        var news = Detected(English() with { Locale = "fr-FR" });

        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text.ShouldStartWith("[Shop] Order A-1001:");
    }

    [Fact]
    public void TheEmailHasSubjectTextAndHtmlWithValuesEncoded()
    {
        var news = Detected(English(), new DateTimeOffset(2026, 11, 28, 15, 0, 0, TimeSpan.Zero)) with { TrackingUrl = "https://shop.example/o?id=1&x=<y>\"z" };

        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options);

        email.Subject.ShouldBe("Your order A-1001 is delayed");
        email.Text.ShouldContain("Hello Alex <Morgan> & Co,");
        email.Text.ShouldContain("New estimated delivery: Saturday, November 28");
        email.Text.ShouldContain("We promised delivery by: Thursday, November 26");
        email.Html!.ShouldContain("Hello Alex &lt;Morgan&gt; &amp; Co,");
        // The link as checked: escaped as a URL, then encoded for HTML.
        email.Html!.ShouldContain("href=\"https://shop.example/o?id=1&amp;x=%3Cy%3E%22z\"");
        email.Html!.ShouldNotContain("<Morgan>");
    }

    [Fact]
    public void AFurtherDelayAndAnActionRequiredSayDifferentThings()
    {
        var news = Detected(reason: DelayReason.CarrierException, code: "ADDRESS_ISSUE");

        NoticeRenderer.Render(Channel.Email, NoticeKind.ActionRequired, news, Options).Subject!.ShouldBe("[확인 요청] 주문 A-1001 배송지 주소를 확인해 주세요");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.FurtherDelay, Detected(), Options).Text.ShouldContain("[추가 지연]");
    }

    [Fact]
    public void WithoutAnEstimateTheMessageSaysANewDateWillFollow()
    {
        var news = Detected(English()) with { EstimatedDeliveryAt = null };

        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text.ShouldContain("We will tell you the new date");
    }

    [Fact]
    public void GoodNewsSaysTheOrderIsBackOnTrackWithTheEstimateAndNoApology()
    {
        var news = Detected(eta: new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)) with { Kind = EpisodeNewsKind.Resolved, Resolution = Resolution.Recovered };

        var korean = NoticeRenderer.Render(Channel.Sms, NoticeKind.BackOnTrack, news, Options).Text;
        korean.ShouldContain("좋은 소식");
        korean.ShouldContain("11월 25일(수)");
        korean.ShouldNotContain("죄송");

        var english = NoticeRenderer.Render(Channel.Email, NoticeKind.BackOnTrack, news with { Customer = English() }, Options);
        english.Subject.ShouldBe("Good news: order A-1001 is back on track");
        english.Text.ShouldContain("Good news: your delivery is back on track.");
        english.Text.ShouldContain("Thank you for your patience.");
        english.Text.ShouldNotContain("sorry", Case.Insensitive);
    }

    [Theory]
    [InlineData(DelayReason.Stalled)]
    [InlineData(DelayReason.MissedPromise)]
    [InlineData(DelayReason.PromiseAtRisk)]
    public void AStaleEstimateBeforeThePromiseIsNotQuotedForALateParcel(DelayReason reason)
    {
        var news = Detected(eta: Promise.AddHours(-20), reason: reason) with { Customer = English() };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options).Text;

        sms.ShouldContain("We will tell you the new date");
        sms.ShouldNotContain("New estimate");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news with { Reason = DelayReason.EtaSlip, EstimatedDeliveryAt = Promise.AddDays(1) }, Options).Text
            .ShouldContain("New estimate");
    }
}
