using System.Xml.Linq;
using Proactive.CxConsole.Backtest;
using Proactive.Standalone.Replay;
using Proactive.Tracker.Prediction;

namespace Proactive.Standalone.Tests;

/// <summary>The replay's threshold sweep as a pure class: scripted assessments in, first warnings and figures out.</summary>
public sealed class ThresholdSweepTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 2, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset H(double hours) => T0.AddHours(hours);

    /// <summary>A rising probability that reaches each given level at the given instant; beyond the last, not before the next assessment.</summary>
    private static Func<double, DateTimeOffset> Crossings(DateTimeOffset next, params (double Level, DateTimeOffset At)[] reached) =>
        t => reached.Where(c => c.Level >= t).Select(c => c.At).DefaultIfEmpty(next).Min();

    [Fact]
    public void TheGridRunsFromPoint30ToPoint95AndHoldsTheConfiguredThreshold()
    {
        var grid = ThresholdSweep.Grid(0.66);

        grid.Count.ShouldBe(15);
        grid[0].ShouldBe(0.30);
        grid[^1].ShouldBe(0.95);
        grid.ShouldContain(0.66);
        grid.ShouldBe(grid.Order().ToList());
        ThresholdSweep.Grid(0.6).Count.ShouldBe(14);
    }

    [Fact]
    public void AThresholdAlreadyReachedWarnsAtTheAssessmentAndAHigherOneDoesNot()
    {
        var sweep = new ThresholdSweep([0.5, 0.7, 0.9]);

        sweep.Assessed("A", H(0), 0.75, Crossings(H(24)), H(24));

        var first = sweep.FirstWarnings()["A"];
        first[0].ShouldBe(H(0));
        first[1].ShouldBe(H(0));
        first[2].ShouldBeNull();
    }

    [Fact]
    public void ACrossingBeforeTheNextAssessmentIsFinalWhenThatAssessmentComesAfterIt()
    {
        var sweep = new ThresholdSweep([0.5, 0.7]);

        sweep.Assessed("A", H(0), 0.2, Crossings(H(24), (0.5, H(6)), (0.7, H(20))), H(24));
        sweep.Assessed("A", H(24), 0.8, Crossings(H(48)), H(48));

        sweep.FirstWarnings()["A"].ShouldBe([H(6), H(20)]);
    }

    [Fact]
    public void AnAssessmentBeforeAPendingCrossingReplacesIt()
    {
        var sweep = new ThresholdSweep([0.5]);

        sweep.Assessed("A", H(0), 0.2, Crossings(H(24), (0.5, H(10))), H(24));

        // An event at hour 8 (a scan) tells the model more: now no crossing before the next look.
        sweep.Assessed("A", H(8), 0.1, Crossings(H(32)), H(32));
        sweep.FirstWarnings()["A"][0].ShouldBeNull();

        sweep.Assessed("A", H(12), 0.1, Crossings(H(36), (0.5, H(30))), H(36));
        sweep.FirstWarnings()["A"][0].ShouldBe(H(30)); // still pending: nothing came after it
    }

    [Fact]
    public void AnOrderClosedBeforeItsCrossingWasNeverWarnedAndOneClosedAfterItWas()
    {
        var sweep = new ThresholdSweep([0.5]);

        sweep.Assessed("EARLY", H(0), 0.2, Crossings(H(24), (0.5, H(10))), H(24));
        sweep.Closed("EARLY", H(9), delivered: true);
        sweep.Assessed("LATE", H(0), 0.2, Crossings(H(24), (0.5, H(10))), H(24));
        sweep.Closed("LATE", H(11), delivered: true);

        var first = sweep.FirstWarnings();
        first["EARLY"][0].ShouldBeNull();
        first["LATE"][0].ShouldBe(H(10));
    }

    [Fact]
    public void TheFirstWarningStaysWhateverComesLater()
    {
        var sweep = new ThresholdSweep([0.5]);

        sweep.Assessed("A", H(0), 0.6, Crossings(H(24)), H(24));
        sweep.Assessed("A", H(24), 0.1, Crossings(H(48)), H(48));
        sweep.Assessed("A", H(48), 0.9, Crossings(H(72)), H(72));

        sweep.FirstWarnings()["A"][0].ShouldBe(H(0));
        sweep.Assessments.ShouldBe(3);
    }

    [Fact]
    public void PrecisionRecallAndLeadComeFromHowTheOrdersEnded()
    {
        var sweep = new ThresholdSweep([0.5, 0.9]);
        var promise = H(100);

        // LATE1 warned at 0.5 (hour 10) and 0.9 (hour 40); LATE2 warned at 0.5 after its promise; ONTIME warned at 0.5; LATE3 never.
        sweep.Assessed("LATE1", H(10), 0.95, Crossings(H(20)), H(20));
        sweep.Assessed("LATE2", H(110), 0.6, Crossings(H(120)), H(120));
        sweep.Assessed("ONTIME", H(30), 0.55, Crossings(H(40)), H(40));
        sweep.Assessed("LATE3", H(0), 0.1, Crossings(H(24)), H(24));
        OrderOutcome[] orders =
        [
            new("LATE1", promise, H(130), null),
            new("LATE2", promise, H(140), null),
            new("ONTIME", promise, H(90), null),
            new("LATE3", promise, null, null),
            new("CANCELLED", promise, null, H(5)),
        ];

        var report = SweepReport.From(sweep, 0.9, orders);

        report.ConfiguredThreshold.ShouldBe(0.9);
        var low = report.Rows[0];
        low.WarnedOrders.ShouldBe(3);
        low.WarnedLate.ShouldBe(2);
        low.Precision.ShouldBe(0.6667);
        low.LateWarnedBeforePromise.ShouldBe(1);
        low.Recall.ShouldBe(0.3333);
        low.MedianLeadHours.ShouldBe(90);
        var high = report.Rows[1];
        high.WarnedOrders.ShouldBe(1);
        high.Precision.ShouldBe(1);
        high.Recall.ShouldBe(0.3333);
    }

    [Fact]
    public void WithTheRealModelTheConfiguredThresholdWarnsWhereTheModelSaysAndLowerOnesNoLater()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var options = PredictionOptions.Default with { MinSamples = 10 };
        var model = new DeliveryModel(options);
        var start = new DateTimeOffset(2025, 6, 2, 9, 0, 0, TimeSpan.FromHours(2));
        for (var i = 0; i < 40; i++)
        {
            var placed = start.AddHours(i * 7);
            var handedOver = placed.AddHours(20);
            var facts = new OrderFacts(berlin, placed, placed.AddDays(6), handedOver, "DE-BE", "DE-BY", "seller-1", "Parcelo", "standard");
            model.Learn(facts, handedOver.AddHours(30 + (i % 8 * 12)));
        }

        var now = start.AddDays(14);
        var order = new OrderFacts(berlin, now.AddHours(-30), now.AddHours(60), now.AddHours(-10), "DE-BE", "DE-BY", "seller-1", "Parcelo", "standard");
        var forecast = model.Assess(order, now)!;
        var sweep = new ThresholdSweep(ThresholdSweep.Grid(options.Threshold));

        sweep.Assessed("A", now, order, model, forecast);
        sweep.Closed("A", now.AddDays(10), delivered: false);

        var first = sweep.FirstWarnings()["A"];
        var configured = first[sweep.Thresholds.ToList().IndexOf(options.Threshold)];
        var expected = forecast.AtRisk ? now : model.NextCrossing(order, now, forecast.NextAssessmentAt);
        if (expected < forecast.NextAssessmentAt)
        {
            configured.ShouldBe(expected);
        }
        else
        {
            configured.ShouldBeNull();
        }

        first.ShouldContain(w => w != null); // the lowest thresholds are reached within the day
        for (var i = 1; i < first.Length; i++)
        {
            if (first[i] is { } higher)
            {
                first[i - 1].ShouldNotBeNull();
                first[i - 1]!.Value.ShouldBeLessThanOrEqualTo(higher);
            }
        }
    }

    [Fact]
    public void TheLeadTimeBinsAreTwelveHoursFromTheEarliestToTheLatestLeavingEmptyOnesOut()
    {
        LeadTimeBin.Of([80, -3, 15.5, 15.5, 130, 12, -0.0]).ShouldBe(
            [new(-12, 1), new(0, 1), new(12, 3), new(72, 1), new(120, 1)]);
        LeadTimeBin.Of([]).ShouldBeEmpty();
    }

    [Fact]
    public void ThePlotsAreSvgDocumentsAndTheSameFiguresGiveTheSameBytes()
    {
        var sweep = new ThresholdSweep(ThresholdSweep.Grid(0.66));
        sweep.Assessed("A", H(0), 0.7, Crossings(H(24)), H(24));
        var report = SweepReport.From(sweep, 0.66, [new("A", H(80), H(90), null)]);
        double[] leads = [80, -3, 15.5, 15.5, 130];

        var svgs = new[] { ReplayPlots.Svg(ReplayPlots.LeadTime(leads)), ReplayPlots.Svg(ReplayPlots.Sweep(report)) };

        foreach (var svg in svgs)
        {
            XDocument.Parse(svg).Root!.Name.LocalName.ShouldBe("svg");
        }

        ReplayPlots.Svg(ReplayPlots.LeadTime(leads)).ShouldBe(svgs[0]);
        ReplayPlots.Svg(ReplayPlots.Sweep(report)).ShouldBe(svgs[1]);
        svgs[1].ShouldContain("precision");
        svgs[1].ShouldContain("recall");
    }
}
