using Proactive.Notifier.Messages;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

/// <summary>The at-risk warning: "may arrive later than promised, now expected around ...", without an apology, in Korean and English.</summary>
public class AtRiskRenderingTests
{
    private static readonly NoticePolicyOptions Options = new() { SenderName = "Shop", AllowedLinkHosts = ["shop.example"] };

    // 2026-11-28 12:00 UTC is Saturday 28 November both in Seoul (21:00) and in New York (07:00).
    private static readonly DateTimeOffset Around = Promise.AddDays(2);

    [Fact]
    public void TheEnglishSmsSaysTheOrderMayArriveLaterAndWhenItIsNowExpected()
    {
        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.AtRisk, Predicted(English(), Around), Options).Text;

        sms.ShouldBe("[Shop] Order A-1001: your order may arrive later than promised, now expected around Sat, Nov 28. https://shop.example/orders/A-1001");
        SmsSegments.Count(sms).ShouldBe(1);
    }

    [Fact]
    public void TheKoreanSmsSaysTheSameInTheCustomersZoneWithinTwoSegments()
    {
        // 2026-11-28 16:00 UTC is already Sunday 29 November in Seoul.
        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.AtRisk, Predicted(Korean(), new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.Zero)), Options).Text;

        sms.ShouldBe("[Shop] 주문 A-1001 약속드린 날짜보다 늦게 도착할 수도 있어요. 지금 예상 도착일은 11월 29일(일)쯤이에요. https://shop.example/orders/A-1001");
        SmsSegments.Count(sms).ShouldBeLessThanOrEqualTo(2);
    }

    [Fact]
    public void WithoutAPredictedDateTheSentenceHasNoDate()
    {
        var english = Predicted(English()) with { EstimatedDeliveryAt = null };
        var korean = Predicted(Korean()) with { EstimatedDeliveryAt = null };

        NoticeRenderer.Render(Channel.Sms, NoticeKind.AtRisk, english, Options).Text
            .ShouldBe("[Shop] Order A-1001: your order may arrive later than promised. We are keeping a close eye on it. https://shop.example/orders/A-1001");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.AtRisk, korean, Options).Text
            .ShouldBe("[Shop] 주문 A-1001 약속드린 날짜보다 늦게 도착할 수도 있어요. 계속 확인하고 있어요. https://shop.example/orders/A-1001");
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.AtRisk, english, Options);
        email.Text.ShouldContain("Your order may arrive later than promised.\nWe promised delivery by: Thursday, November 26\nWe are keeping a close eye on it.", Case.Sensitive);
        email.Text.ShouldNotContain("We will tell you the new date");
    }

    [Fact]
    public void APredictedDateNotPastThePromiseIsNotQuoted()
    {
        var news = Predicted(English(), Promise.AddHours(-3));

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.AtRisk, news, Options).Text;

        sms.ShouldContain("may arrive later than promised. We are keeping a close eye on it.");
        sms.ShouldNotContain("expected around");
    }

    [Fact]
    public void TheEnglishEmailHasASofterSubjectTheDatesAndNoApology()
    {
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.AtRisk, Predicted(English(), Around), Options);

        email.Subject.ShouldBe("Your order A-1001 may arrive late");
        email.Text.ShouldContain("Your order may arrive later than promised, now expected around Saturday, November 28.");
        email.Text.ShouldContain("We promised delivery by: Thursday, November 26");
        email.Text.ShouldContain("We wanted you to hear it from us first.");
        email.Html!.ShouldContain("<strong>Your order may arrive later than promised, now expected around Saturday, November 28.</strong>");
        email.Text.ShouldNotContain("New estimated delivery");
        foreach (var part in new[] { email.Subject!, email.Text, email.Html! })
        {
            part.ShouldNotContain("sorry", Case.Insensitive);
            part.ShouldNotContain("delayed", Case.Insensitive);
        }
    }

    [Fact]
    public void TheKoreanEmailHasASofterSubjectTheDatesAndNoApology()
    {
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.AtRisk, Predicted(Korean(), Around), Options);

        email.Subject.ShouldBe("주문 A-1001 배송 지연 가능성 안내");
        email.Text.ShouldContain("약속드린 날짜보다 늦게 도착할 수도 있어요. 지금 예상 도착일은 11월 28일 토요일쯤이에요.");
        email.Text.ShouldContain("약속드린 도착일: 11월 26일 목요일");
        email.Text.ShouldContain("미리 알려드리고 싶었어요.");
        email.Text.ShouldNotContain("죄송");
    }

    [Theory]
    [InlineData("ko-KR")]
    [InlineData("en-US")]
    public void NoAtRiskSmsApologisesWhateverItHasToDrop(string locale)
    {
        var customer = (locale == "ko-KR" ? Korean() : English()) with { Locale = locale };
        foreach (var segments in new[] { 1, 2 })
        {
            foreach (var eta in new DateTimeOffset?[] { null, Around })
            {
                var news = Predicted(customer, eta) with { OrderId = "ORDER-2026-000123456", TrackingUrl = "https://shop.example/mypage/orders/ORDER-2026-000123456" };
                var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.AtRisk, news, new NoticePolicyOptions { SenderName = "Shop", AllowedLinkHosts = ["shop.example"], MaxSmsSegments = segments }).Text;

                SmsSegments.Count(sms).ShouldBeLessThanOrEqualTo(segments, sms);
                sms.ShouldNotContain("Sorry", Case.Insensitive);
                sms.ShouldNotContain("죄송");
                sms.ShouldNotContain("running late");
                sms.ShouldNotContain("늦어지고 있어요");
            }
        }
    }
}
