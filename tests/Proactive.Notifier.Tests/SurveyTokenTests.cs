using System.Buffers.Text;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Survey;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

public class SurveyTokenTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly DateTimeOffset Expires = Now.AddDays(7);

    [Theory]
    [InlineData("A-1001", 1)]
    [InlineData("A-1001", 5)]
    [InlineData("주문/1?&<x>", 3)]
    public void ATokenSaysItsOrderAndScoreUntilItExpires(string order, int score)
    {
        var token = SurveyTokens.Create(Key, order, score, Expires);
        token.ShouldMatch("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$");
        SurveyTokens.Check(Key, token, Now).ShouldBe(new SurveyLink(SurveyLinkStatus.Valid, order, score, Expires));
        SurveyTokens.Check(Key, token, Expires.AddSeconds(-1)).Status.ShouldBe(SurveyLinkStatus.Valid);
        SurveyTokens.Check(Key, token, Expires).Status.ShouldBe(SurveyLinkStatus.Expired);
    }

    [Fact]
    public void AnyChangedByteOrAnotherKeyIsBad()
    {
        var token = SurveyTokens.Create(Key, "A-1001", 4, Expires);
        var parts = token.Split('.');
        var payload = Base64Url.DecodeFromChars(parts[0]);
        for (var i = 0; i < payload.Length; i++)
        {
            var changed = (byte[])payload.Clone();
            changed[i] ^= 0x01;
            SurveyTokens.Check(Key, $"{Base64Url.EncodeToString(changed)}.{parts[1]}", Now).Status.ShouldBe(SurveyLinkStatus.Bad, $"byte {i}");
        }

        var mac = Base64Url.DecodeFromChars(parts[1]);
        for (var i = 0; i < mac.Length; i++)
        {
            var changed = (byte[])mac.Clone();
            changed[i] ^= 0x80;
            SurveyTokens.Check(Key, $"{parts[0]}.{Base64Url.EncodeToString(changed)}", Now).Status.ShouldBe(SurveyLinkStatus.Bad, $"mac byte {i}");
        }

        var otherKey = (byte[])Key.Clone();
        otherKey[0] ^= 1;
        SurveyTokens.Check(otherKey, token, Now).Status.ShouldBe(SurveyLinkStatus.Bad);
        foreach (var nonsense in new[] { "", ".", "a.b", parts[0], $"{parts[0]}.{parts[1]}.x", "!!!.???", new string('a', 600) })
        {
            SurveyTokens.Check(Key, nonsense, Now).Status.ShouldBe(SurveyLinkStatus.Bad, nonsense);
        }
    }

    [Fact]
    public void AnExpiredTokenWithAWrongSignatureIsBadNotExpired()
    {
        var token = SurveyTokens.Create(Key, "A-1001", 4, Now.AddDays(-1));
        SurveyTokens.Check(Key, token, Now).Status.ShouldBe(SurveyLinkStatus.Expired);
        SurveyTokens.Check(Key, token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1], Now).Status.ShouldBe(SurveyLinkStatus.Bad);
    }

    [Fact]
    public void ThePageEncodesEverythingAndRunsNoScript()
    {
        var page = SurveyPage.Scored("en-US", 4, 2000);
        page.ShouldContain("Thank you! You gave us 4 out of 5.");
        page.ShouldContain("value=\"4\" checked");
        page.ShouldNotContain("<script", Case.Insensitive);
        page.ShouldNotContain("action=");
        SurveyPage.Scored("ko-KR", 2, 2000).ShouldContain("5점 만점에 2점");
        SurveyPage.Expired("ko-KR").ShouldContain("lang=\"ko\"");
        SurveyPage.NotFound().ShouldContain("not valid");
    }

    [Fact]
    public void TheSmsAsksForOneToFiveInTheCustomersLanguageAndEnglishStaysGsm7()
    {
        var en = SurveyMessages.RenderSms(Detected(English()), "Proactive", 2).Text;
        en.ShouldBe("[Proactive] Order A-1001 has arrived. How did we do? Reply 1 (poor) to 5 (great), and tell us more if you like.");
        SmsSegments.IsGsm7(en).ShouldBeTrue();
        SmsSegments.Count(en).ShouldBe(1);

        var ko = SurveyMessages.RenderSms(Detected(Korean()), "Proactive", 2).Text;
        ko.ShouldBe("[Proactive] 주문 A-1001 배송이 완료됐어요. 이번 배송은 어떠셨나요? 1(매우 불만)~5(매우 만족) 숫자로 답장해 주세요.");
        SmsSegments.Count(ko).ShouldBeLessThanOrEqualTo(2);

        var cut = SurveyMessages.RenderSms(Detected(Korean()), new string('가', 200), 2);
        SmsSegments.Count(cut.Text).ShouldBeLessThanOrEqualTo(2);
        cut.Notes.ShouldNotBeNull();
    }

    [Fact]
    public void TheEmailCarriesFiveEncodedLinks()
    {
        string[] links = [.. Enumerable.Range(1, 5).Select(i => $"https://hooks.example/v1/survey/t{i}?a=1&b=<{i}>")];
        var mail = SurveyMessages.RenderEmail(Detected(English()), "Shop", links, TimeSpan.FromDays(7));
        mail.Subject.ShouldBe("How was the delivery of order A-1001?");
        mail.Text.ShouldContain("1 (poor): https://hooks.example/v1/survey/t1?a=1&b=<1>");
        mail.Text.ShouldContain("The links work for 7 days.");
        var html = mail.Html.ShouldNotBeNull();
        html.ShouldContain("href=\"https://hooks.example/v1/survey/t5?a=1&amp;b=&lt;5&gt;\"");
        html.ShouldContain("Hello Alex &lt;Morgan&gt; &amp; Co,");
        html.ShouldNotContain("<Morgan>");
    }
}
