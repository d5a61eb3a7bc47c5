using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>The CSV cells: RFC 4180 quoting, and formulas neutralised for spreadsheets.</summary>
public class CsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("line\nfeed", "\"line\nfeed\"")]
    [InlineData("택배기사가 불친절했어요", "택배기사가 불친절했어요")]
    [InlineData("", "")]
    public void ATextCellIsQuotedOnlyWhenItMustBe(string value, string cell) => Csv.Text(value).ShouldBe(cell);

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1 great", "'+1 great")]
    [InlineData("-2 bad", "'-2 bad")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("＝1+1", "'＝1+1")]
    [InlineData("＋1", "'＋1")]
    [InlineData("－1", "'－1")]
    [InlineData("＠x", "'＠x")]
    [InlineData("a=b", "a=b")]
    public void ATextCellThatWouldRunAsAFormulaGetsAQuoteMarkInFront(string value, string cell) => Csv.Text(value).ShouldBe(cell);

    [Fact]
    public void NumbersWeWroteAreNotPrefixed() => Csv.Plain("-0.5").ShouldBe("-0.5");

    [Fact]
    public void ARowEndsWithCrlf() => Csv.Row("a", "\"b,c\"").ShouldBe("a,\"b,c\"\r\n");

    [Fact]
    public void TheLineOfAnItemHasACellPerHeaderColumn()
    {
        var item = new StoredVoice(
            "twilio:SM1", "sms_reply", "A-1", "C-1", 2, "=cmd, \"x\"", "en", ["damaged", "late"], "negative", -0.75,
            new OrderContext("WEATHER", "CJ Logistics", "KR-11"), new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(9)), "told_late");

        VoiceCsvEndpoint.Line(item).ShouldBe(
            "2026-11-24T01:00:00.000Z,twilio:SM1,A-1,C-1,sms_reply,en,2,negative,-0.75,damaged;late,WEATHER,CJ Logistics,KR-11,told_late,\"'=cmd, \"\"x\"\"\"\r\n");
    }
}
