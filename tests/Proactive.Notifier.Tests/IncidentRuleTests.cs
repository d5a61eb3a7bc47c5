using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Incidents;

namespace Proactive.Notifier.Tests;

/// <summary>The pure part of incidents: which news counts, under which key, and when an incident opens and resolves.</summary>
public sealed class IncidentRuleTests
{
    private static readonly string[] CarrierAndDestination = ["carrier", "destination"];
    private static readonly DateTimeOffset Now = News.Now;

    private static EpisodeNews Delay(DelayReason reason = DelayReason.CarrierException, string? code = "WEATHER") =>
        News.Detected(reason: reason, code: code) with
        {
            ShipTo = new ParcelPlace("KR", "KR-11"),
            ShipFrom = new ParcelPlace("KR", "KR-41"),
            OccurredAt = Now.AddMinutes(-3),
        };

    [Fact]
    public void AConfirmedDelayGivesItsCauseUnderTheConfiguredKey()
    {
        var (signal, skipped) = IncidentRule.SignalOf(Delay(), CarrierAndDestination, Now);

        skipped.ShouldBeNull();
        signal.ShouldNotBeNull();
        signal.EpisodeId.ShouldBe("A-1001/delay-1");
        signal.OrderId.ShouldBe("A-1001");
        (signal.Carrier, signal.Destination, signal.Lane, signal.Cause, signal.Reason, signal.ExceptionCode)
            .ShouldBe(("CJ Logistics", "KR-11", "KR-41>KR-11", "WEATHER", "CARRIER_EXCEPTION", "WEATHER"));
        signal.SeenAt.ShouldBe(Now.AddMinutes(-3));
        IncidentRule.Dimensions(signal.GroupKey).ShouldBe([("carrier", "CJ Logistics"), ("destination", "KR-11")]);
    }

    [Fact]
    public void TheDestinationIsTheRegionElseTheCountryAndTheCauseTheExceptionElseTheReason()
    {
        var news = Delay(DelayReason.EtaSlip, code: null) with { ShipTo = new ParcelPlace("BR", null) };

        var (signal, _) = IncidentRule.SignalOf(news with { OccurredAt = null }, ["destination", "exception", "lane"], Now);

        IncidentRule.Dimensions(signal!.GroupKey).ShouldBe([("destination", "BR"), ("exception", "ETA_SLIP"), ("lane", "KR-41>BR")]);
        signal.SeenAt.ShouldBe(Now);
    }

    [Theory]
    [InlineData(DelayReason.PredictedLate)]
    [InlineData(DelayReason.PromiseAtRisk)]
    public void AForecastIsNotCounted(DelayReason reason) =>
        IncidentRule.SignalOf(Delay(reason, code: null), CarrierAndDestination, Now).Signal.ShouldBeNull();

    [Fact]
    public void RecordOnlyResolvedAndDeliveredNewsAreNotCounted()
    {
        IncidentRule.SignalOf(Delay() with { RecordOnly = true }, CarrierAndDestination, Now).Signal.ShouldBeNull();
        IncidentRule.SignalOf(Delay() with { Kind = EpisodeNewsKind.Resolved, Resolution = Resolution.Delivered }, CarrierAndDestination, Now).Signal.ShouldBeNull();
        IncidentRule.SignalOf(Delay() with { Kind = EpisodeNewsKind.Delivered }, CarrierAndDestination, Now).Signal.ShouldBeNull();
    }

    [Fact]
    public void NewsMissingADimensionOfTheKeyIsSkippedAndSaysWhich()
    {
        IncidentRule.SignalOf(Delay() with { Carrier = null }, CarrierAndDestination, Now).Skipped.ShouldBe("no carrier");
        IncidentRule.SignalOf(Delay() with { ShipTo = null }, CarrierAndDestination, Now).Skipped.ShouldBe("no destination");
        IncidentRule.SignalOf(Delay() with { ShipFrom = null }, ["lane"], Now).Skipped.ShouldBe("no lane");

        // Not in the key, not needed.
        IncidentRule.SignalOf(Delay() with { Carrier = null }, ["destination"], Now).Signal.ShouldNotBeNull();
    }

    [Fact]
    public void TheKeyTellsValuesApartWhateverTheyHoldInside()
    {
        var one = IncidentRule.SignalOf(Delay() with { Carrier = "A,destination" }, CarrierAndDestination, Now).Signal!;
        var other = IncidentRule.SignalOf(Delay() with { Carrier = "A" }, CarrierAndDestination, Now).Signal!;

        one.GroupKey.ShouldNotBe(other.GroupKey);
        IncidentRule.Dimensions(one.GroupKey)[0].ShouldBe(("carrier", "A,destination"));
    }

    [Theory]
    [InlineData(19, false, IncidentStep.Nothing)]
    [InlineData(20, false, IncidentStep.Open)]
    [InlineData(0, false, IncidentStep.Nothing)]
    [InlineData(25, true, IncidentStep.Extend)]
    [InlineData(10, true, IncidentStep.Extend)]
    [InlineData(9, true, IncidentStep.Resolve)]
    [InlineData(0, true, IncidentStep.Resolve)]
    public void OpensAtMinOrdersAndResolvesBelowHalfOfIt(int orders, bool open, IncidentStep step) =>
        IncidentRule.Step(orders, open, new IncidentOptions()).ShouldBe(step);

    [Fact]
    public void ResolveBelowCanBeSet() =>
        IncidentRule.Step(15, open: true, new IncidentOptions { ResolveBelow = 16 }).ShouldBe(IncidentStep.Resolve);

    [Fact]
    public void TheAlertTextHasCountsDimensionsCausesAndTheApiPathButNoCustomer()
    {
        var incident = new Incident(
            "inc-1", IncidentRule.SignalOf(Delay(), CarrierAndDestination, Now).Signal!.GroupKey, Now.AddMinutes(-48), Now.AddMinutes(-2), 30, Now, null);
        var orders = Enumerable.Range(1, 30)
            .Select(i => new AffectedOrder($"A-{i}", $"A-{i}/delay-1", "CARRIER_EXCEPTION", i <= 25 ? "WEATHER" : null, i <= 25 ? "WEATHER" : "CARRIER_EXCEPTION", "KR-41>KR-11", Now))
            .ToList();

        var text = IncidentText.Text(incident, orders, TimeSpan.FromHours(1));

        text.ShouldBe(
            "Proactive incident inc-1: 30 delayed orders within 1 h - carrier CJ Logistics, destination KR-11 - first seen 2026-11-24 00:12 UTC, "
            + "last seen 2026-11-24 00:58 UTC - top causes: WEATHER 25, CARRIER_EXCEPTION 5 - lanes: KR-41>KR-11 30. Details: GET /v1/incidents/inc-1");
        IncidentText.Html("a <b> & c").ShouldBe("<p>a &lt;b&gt; &amp; c</p>");
    }

    [Theory]
    [InlineData("CJ Logistics <!channel>", "CJ Logistics   channel>")]
    [InlineData("@all hands", "all hands")]
    [InlineData("<https://evil.example|click>", "https //evil.example click>")]
    [InlineData("CJ대한통운", "CJ대한통운")]
    public void UpstreamValuesReachTheChatAsPlainWords(string value, string shown) => IncidentText.Safe(value).ShouldBe(shown);
}
