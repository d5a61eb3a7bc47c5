using NodaTime;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;
using static Proactive.Notifier.Tests.News;
using CarrierExceptionCode = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;

namespace Proactive.Notifier.Tests;

/// <summary>Reason and resolution keep their contract names wherever Notifier writes them as text.</summary>
public class WireNameTests
{
    [Theory]
    [InlineData(DelayReason.EtaSlip, "ETA_SLIP")]
    [InlineData(DelayReason.CarrierException, "CARRIER_EXCEPTION")]
    [InlineData(DelayReason.PromiseAtRisk, "PROMISE_AT_RISK")]
    [InlineData(DelayReason.PredictedLate, "PREDICTED_LATE")]
    [InlineData(DelayReason.Unspecified, "DELAY_REASON_UNSPECIFIED")]
    public void AReasonIsNamedAsInTheProto(DelayReason reason, string name)
    {
        WireName.Of(reason).ShouldBe(name);
        WireName.Parse<DelayReason>(name).ShouldBe(reason);
    }

    [Fact]
    public void EveryValueReadsBackFromItsNameAndAnUnknownNameIsUnspecified()
    {
        Enum.GetValues<DelayReason>().ShouldAllBe(r => WireName.Parse<DelayReason>(WireName.Of(r)) == r);
        Enum.GetValues<Resolution>().ShouldAllBe(r => WireName.Parse<Resolution>(WireName.Of(r)) == r);
        WireName.Of(Resolution.Recovered).ShouldBe("RECOVERED");
        WireName.Parse<DelayReason>("LOST_IN_SPACE").ShouldBe(DelayReason.Unspecified);
        WireName.Parse<DelayReason>("EtaSlip").ShouldBe(DelayReason.Unspecified);
        WireName.Of((DelayReason)99).ShouldBe("99");
    }

    [Fact]
    public void NewsKeptWithANoticeWritesTheContractNamesAndReadsThemBack()
    {
        var news = Detected(reason: DelayReason.MissedPromise) with { Kind = EpisodeNewsKind.Resolved, Resolution = Resolution.Recovered };

        var json = NewsJson.Write(news)!;

        json.ShouldContain("\"reason\":\"MISSED_PROMISE\"");
        json.ShouldContain("\"resolution\":\"RECOVERED\"");
        var back = NewsJson.Read(json)!;
        back.Reason.ShouldBe(DelayReason.MissedPromise);
        back.Resolution.ShouldBe(Resolution.Recovered);
        NewsJson.Read(json.Replace("\"resolution\":\"RECOVERED\"", "\"resolution\":null", StringComparison.Ordinal))!.Resolution.ShouldBeNull();
    }

    [Fact]
    public void AChangeWithAReasonThisNotifierDoesNotKnowIsToldAsADelayWithoutDetail()
    {
        // What a newer Tracker may send: the parser keeps the field at zero rather than failing.
        var parser = new Google.Protobuf.JsonParser(Google.Protobuf.JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
        var change = parser.Parse<DelayEpisodeChanged>(
            """{"orderId":"A-1","episodeId":"A-1/delay-1","sequence":"1","kind":"DETECTED","reason":"HELD_BY_DRAGONS","resolution":"TELEPORTED","promisedBy":"2026-11-26T12:00:00Z","customer":{"customerId":"C-1","phone":"+821012345678","locale":"en-US"}}""");

        var news = EpisodeNews.From(change);

        news.Reason.ShouldBe(DelayReason.Unspecified);
        news.Resolution.ShouldBeNull();
        Messages.NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, new NoticePolicyOptions()).Text.ShouldContain("your delivery is running late.");
    }

    /// <summary>
    /// exception_code is the inbound contract's enum on the hop, carried in JSON by the same names the
    /// string field carried: an older Tracker's change reads the same, and a code a newer Tracker adds
    /// is told as a carrier exception without its cause rather than passed on as text.
    /// </summary>
    [Theory]
    [InlineData("\"exceptionCode\":\"ADDRESS_ISSUE\",", "ADDRESS_ISSUE", "the carrier cannot deliver to your address. Please check it.")]
    [InlineData("\"exceptionCode\":\"WEATHER\",", "WEATHER", "bad weather has delayed your delivery.")]
    [InlineData("\"exceptionCode\":\"VOLCANO\",", null, "a carrier problem has delayed your delivery.")]
    [InlineData("\"exceptionCode\":\"\",", null, "a carrier problem has delayed your delivery.")]
    [InlineData("\"exceptionCode\":42,", null, "a carrier problem has delayed your delivery.")]
    [InlineData("", null, "a carrier problem has delayed your delivery.")]
    public void AnExceptionCodeIsReadByItsContractNameAndAnUnknownOneAsNone(string field, string? code, string told)
    {
        var parser = new Google.Protobuf.JsonParser(Google.Protobuf.JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
        var change = parser.Parse<DelayEpisodeChanged>(
            "{\"orderId\":\"A-1\",\"episodeId\":\"A-1/delay-1\",\"sequence\":\"1\",\"kind\":\"DETECTED\",\"reason\":\"CARRIER_EXCEPTION\"," + field
            + "\"promisedBy\":\"2026-11-26T12:00:00Z\",\"customer\":{\"customerId\":\"C-1\",\"phone\":\"+821012345678\",\"locale\":\"en-US\"}}");

        var news = EpisodeNews.From(change);

        news.Reason.ShouldBe(DelayReason.CarrierException);
        news.ExceptionCode.ShouldBe(code);
        Messages.NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, new NoticePolicyOptions()).Text.ShouldContain(told);
    }

    [Fact]
    public void AnExceptionCodeIsWrittenAsTheStringFieldWasSoAnOlderNotifierReadsItTheSame()
    {
        var change = new DelayEpisodeChanged { OrderId = "A-1", ExceptionCode = CarrierExceptionCode.CarrierDelay };

        Google.Protobuf.JsonFormatter.Default.Format(change).ShouldContain("\"exceptionCode\": \"CARRIER_DELAY\"");
        Google.Protobuf.JsonFormatter.Default.Format(new DelayEpisodeChanged { OrderId = "A-1" }).ShouldNotContain("exceptionCode");
    }
}

/// <summary>The notice options: parsed when set, and every unfit value named by its key.</summary>
public class NoticePolicyOptionsTests
{
    [Fact]
    public void TheDefaultsAreFitAndParsed()
    {
        var options = new NoticePolicyOptions();

        options.Problems().ShouldBeEmpty();
        options.DefaultQuietHours.ShouldBe(new QuietHours(new LocalTime(21, 0), new LocalTime(8, 0)));
        options.DefaultZone.ShouldBe(DateTimeZone.Utc);
    }

    [Fact]
    public void QuietHoursAndZoneAreParsedWhenSet()
    {
        var options = new NoticePolicyOptions { QuietHoursStart = "22:30", QuietHoursEnd = "06:15", DefaultTimeZone = "Asia/Seoul" };

        options.DefaultQuietHours.ShouldBe(new QuietHours(new LocalTime(22, 30), new LocalTime(6, 15)));
        options.DefaultQuietHours.ToString().ShouldBe("22:30–06:15");
        options.DefaultZone.Id.ShouldBe("Asia/Seoul");
    }

    [Fact]
    public void EachUnfitValueIsNamedByItsKey()
    {
        var options = new NoticePolicyOptions
        {
            QuietHoursStart = "25:00",
            QuietHoursEnd = "8",
            DefaultTimeZone = "Mars/Base",
            RenotifySlip = TimeSpan.Zero,
            MaxPerOrderPer24Hours = 0,
        };

        options.Problems().ShouldBe(
        [
            "Proactive:Notices:RenotifySlip must be positive, e.g. 1.00:00:00",
            "Proactive:Notices:MaxPerOrderPer24Hours must be at least 1",
            "Proactive:Notices:QuietHoursStart '25:00' is not a time of day as HH:mm, e.g. 21:00",
            "Proactive:Notices:QuietHoursEnd '8' is not a time of day as HH:mm, e.g. 08:00",
            "Proactive:Notices:DefaultTimeZone 'Mars/Base' is not an IANA time zone, e.g. Asia/Seoul",
        ]);
        Should.Throw<InvalidOperationException>(() => options.DefaultQuietHours).Message.ShouldContain("Proactive:Notices:QuietHoursStart");
        new NoticePolicyOptions { RenotifySlip = TimeSpan.FromHours(-1) }.Problems().ShouldHaveSingleItem().ShouldContain("RenotifySlip");
    }
}
