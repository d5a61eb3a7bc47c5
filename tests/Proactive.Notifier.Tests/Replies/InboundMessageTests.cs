using System.Text;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Replies;

namespace Proactive.Notifier.Tests.Replies;

/// <summary>How an inbound message is read: OptOutType first, then the keyword table on the whole body.</summary>
public class InboundMessageTests
{
    [Theory]
    [InlineData("STOP", InboundKind.Stop)]
    [InlineData("stop", InboundKind.Stop)]
    [InlineData("  Stop \n", InboundKind.Stop)]
    [InlineData("STOPALL", InboundKind.Stop)]
    [InlineData("unsubscribe", InboundKind.Stop)]
    [InlineData("Cancel", InboundKind.Stop)]
    [InlineData("END", InboundKind.Stop)]
    [InlineData("quit", InboundKind.Stop)]
    [InlineData("중지", InboundKind.Stop)]
    [InlineData(" 수신거부 ", InboundKind.Stop)]
    [InlineData("ＳＴＯＰ", InboundKind.Stop)]
    [InlineData("\u3000stop\u3000", InboundKind.Stop)]
    [InlineData("START", InboundKind.Start)]
    [InlineData("yes", InboundKind.Start)]
    [InlineData("Unstop", InboundKind.Start)]
    [InlineData("HELP", InboundKind.Help)]
    [InlineData("info", InboundKind.Help)]
    [InlineData("stop please", InboundKind.Text)]
    [InlineData("STOP.", InboundKind.Text)]
    [InlineData("where is it?", InboundKind.Text)]
    [InlineData("중지해주세요", InboundKind.Text)]
    [InlineData("", InboundKind.Text)]
    public void TheWholeBodyIsComparedWithTheKeywords(string body, InboundKind kind) =>
        InboundMessage.Classify(body, null).ShouldBe(kind);

    [Fact]
    public void DecomposedHangulIsTheSameKeyword()
    {
        var decomposed = "수신거부".Normalize(NormalizationForm.FormD);
        decomposed.ShouldNotBe("수신거부");

        InboundMessage.Classify(decomposed, null).ShouldBe(InboundKind.Stop);
    }

    [Theory]
    [InlineData("그만", "STOP", InboundKind.Stop)]
    [InlineData("시작", "start", InboundKind.Start)]
    [InlineData("도움", "HELP", InboundKind.Help)]
    [InlineData("STOP", "", InboundKind.Stop)]
    [InlineData("where is it?", "SOMETHING", InboundKind.Text)]
    public void TwiliosOptOutTypeComesFirst(string body, string optOutType, InboundKind kind) =>
        InboundMessage.Classify(body, optOutType).ShouldBe(kind);

    [Theory]
    [InlineData("+821012345678", "+821012345678")]
    [InlineData(" +1 (415) 555-0123 ", "+14155550123")]
    [InlineData("+82.10.1234.5678", "+821012345678")]
    [InlineData("821012345678", null)]
    [InlineData("+0123456", null)]
    [InlineData("12345", null)]
    [InlineData("ShopName", null)]
    [InlineData("+1234567890123456", null)]
    public void TheSenderIsComparedAsE164(string from, string? e164) => InboundMessage.E164(from).ShouldBe(e164);

    [Fact]
    public void TheBodyIsKeptAsWrittenButBoundedAndWithoutNul()
    {
        InboundMessage.Stored("배송 언제 와요? <b>&amp;</b>").ShouldBe("배송 언제 와요? <b>&amp;</b>");
        InboundMessage.Stored("a\0b").ShouldBe("a\uFFFDb");
        InboundMessage.Stored(new string('x', 1700)).Length.ShouldBe(InboundMessage.MaxBodyChars);

        // A character outside the BMP straddling the bound is dropped whole, never halved.
        var straddling = InboundMessage.Stored(new string('x', InboundMessage.MaxBodyChars - 1) + "😀");
        straddling.ShouldBe(new string('x', InboundMessage.MaxBodyChars - 1));
    }

    [Fact]
    public void HelpIsAnsweredInKoreanOrEnglishAndNamesTheKeywords()
    {
        InboundMessage.HelpText(Language.Korean, "Shop").ShouldStartWith("[Shop]");
        InboundMessage.HelpText(Language.Korean, "Shop").ShouldContain("중지");
        InboundMessage.HelpText(Language.English, "Shop").ShouldContain("Reply STOP");
        InboundMessage.HelpText(Language.English, "Shop").Length.ShouldBeLessThanOrEqualTo(160);
    }

    [Theory]
    [InlineData("STOP", null, true)]
    [InlineData(" unstop ", null, true)]
    [InlineData("ｙｅｓ", null, true)]
    [InlineData("중지", null, false)]
    [InlineData("수신거부", null, false)]
    [InlineData("수신거부", "STOP", true)]
    [InlineData("수신거부", " ", false)]
    public void OnlyTwilioKeywordsOrItsOwnVerdictAreConfirmedByTwilio(string body, string? optOutType, bool twilioConfirms) =>
        InboundMessage.TwilioConfirms(body, optOutType).ShouldBe(twilioConfirms);

    [Fact]
    public void OptOutAndOptInAreConfirmedInKoreanOrEnglishAndFitOneSms()
    {
        InboundMessage.ConfirmationText(InboundKind.Stop, Language.Korean, "Shop").ShouldStartWith("[Shop] 문자 수신이 거부되었습니다");
        InboundMessage.ConfirmationText(InboundKind.Stop, Language.English, "Shop").ShouldContain("Reply START");
        InboundMessage.ConfirmationText(InboundKind.Start, Language.Korean, "Shop").ShouldContain("중지");
        InboundMessage.ConfirmationText(InboundKind.Start, Language.English, "Shop").ShouldContain("Reply STOP");
        foreach (var kind in new[] { InboundKind.Stop, InboundKind.Start })
        {
            InboundMessage.ConfirmationText(kind, Language.English, "Shop").Length.ShouldBeLessThanOrEqualTo(160);
            InboundMessage.ConfirmationText(kind, Language.Korean, "Shop").Length.ShouldBeLessThanOrEqualTo(70);
        }
    }
}
