using Proactive.Tests.Shared;
using Proactive.Tracker.Prediction;

namespace Proactive.Tracker.Tests;

public class DeliveryClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly DeliveryClock Clock = new(Berlin, PredictionOptions.Default.DayWeights);

    private static DateTimeOffset Local(int year, int month, int day, int hour = 0) =>
        Clock.At(new DateOnly(year, month, day), new TimeOnly(hour, 0));

    [Fact]
    public void AWeekdayCountsOneDayAndAWeekendLittle()
    {
        // 2025-06-02 is a Monday.
        (Clock.DaysAt(Local(2025, 6, 3)) - Clock.DaysAt(Local(2025, 6, 2))).ShouldBe(1, 1e-9);
        (Clock.DaysAt(Local(2025, 6, 9)) - Clock.DaysAt(Local(2025, 6, 6))).ShouldBe(1 + 0.25 + 0.1, 1e-9);
        (Clock.DaysAt(Local(2025, 6, 7, 18)) - Clock.DaysAt(Local(2025, 6, 7, 6))).ShouldBe(0.25 / 2, 1e-9);
    }

    [Fact]
    public void ADstDaySpreadsItsWeightOverItsRealHours()
    {
        // 2025-03-30 (a Sunday) has 23 hours in Berlin; noon is 11 real hours into it.
        var sunday = Clock.DaysAt(Local(2025, 3, 30));
        (Clock.DaysAt(Local(2025, 3, 30, 12)) - sunday).ShouldBe(0.1 * 11 / 23, 1e-9);
        (Clock.DaysAt(Local(2025, 3, 31)) - sunday).ShouldBe(0.1, 1e-9);
    }

    [Fact]
    public void AMidnightInsideADstGapStartsTheDayAtTheGapsEnd()
    {
        // São Paulo skipped 2018-11-04 00:00–01:00.
        var saoPaulo = new DeliveryClock(TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo"), PredictionOptions.Default.DayWeights);

        var start = saoPaulo.StartOf(new DateOnly(2018, 11, 4));

        saoPaulo.Local(start).ShouldBe(new DateTime(2018, 11, 4, 1, 0, 0));
        (saoPaulo.DaysAt(start.AddSeconds(-1)) - saoPaulo.DaysAt(start.AddDays(-1))).ShouldBeLessThan(0.25);
    }

    [Theory]
    [InlineData("2025-03-29T23:30:00+01:00")]
    [InlineData("2025-03-30T03:10:00+02:00")]
    [InlineData("2025-10-26T02:30:00+01:00")]
    [InlineData("2025-06-08T17:00:00+02:00")]
    [InlineData("1999-12-31T12:00:00+01:00")]
    public void InstantAtInvertsDaysAt(string at)
    {
        var instant = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        var back = Clock.InstantAt(Clock.DaysAt(instant));

        Math.Abs((back - instant).TotalMilliseconds).ShouldBeLessThan(1);
    }
}

public class DecayedHistogramTests
{
    private static readonly PredictionOptions Options = PredictionOptions.Default;

    [Fact]
    public void ASampleTwiceTheHalfLifeOldWeighsAQuarter()
    {
        var histogram = new DecayedHistogram(Options.BinCount);
        var at = new DateTimeOffset(2025, 6, 2, 12, 0, 0, TimeSpan.Zero);
        histogram.Add(2.0, at, Options);

        histogram.EffectiveCount(at, Options.HalfLife).ShouldBe(1, 1e-12);
        histogram.EffectiveCount(at + 2 * Options.HalfLife, Options.HalfLife).ShouldBe(0.25, 1e-12);
    }

    [Fact]
    public void SamplesLandInTheirBinsAndLongOnesOverflow()
    {
        var histogram = new DecayedHistogram(Options.BinCount);
        histogram.BinOf(-1, 0.25).ShouldBe(0);
        histogram.BinOf(0.3, 0.25).ShouldBe(1);
        histogram.BinOf(59.99, 0.25).ShouldBe(239);
        histogram.BinOf(75, 0.25).ShouldBe(240);
    }

    [Fact]
    public void SurvivalIsTheTailMassLinearInsideABin()
    {
        // Half the mass in [1, 1.25), half in the overflow bin.
        var p = new double[241];
        p[4] = 0.5;
        p[240] = 0.5;
        var distribution = new DurationDistribution(p, 0.25);

        distribution.Tail(0).ShouldBe(1);
        distribution.Survival(0).ShouldBe(1, 1e-15);
        distribution.Survival(1).ShouldBe(1);
        distribution.Survival(1.125).ShouldBe(0.75, 1e-12);
        distribution.Survival(1.25).ShouldBe(0.5, 1e-12);
        distribution.Survival(500).ShouldBe(0.5);
        distribution.DurationAtSurvival(0.75)!.Value.ShouldBe(1.125, 1e-12);
        distribution.DurationAtSurvival(0.5)!.Value.ShouldBe(1.25, 1e-12);
        distribution.DurationAtSurvival(0.4).ShouldBeNull();
    }
}

public class DeliveryModelTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static readonly DateTimeOffset Now = new(2025, 6, 2, 0, 0, 0, TimeSpan.FromHours(2));

    // The stored weight of count samples recorded now.
    private static double Weight(double count) => count * DecayedHistogram.WeightAt(Now, PredictionOptions.Default.HalfLife);

    private static HistogramRow Row(string group, double days, double count, HistogramKind kind = HistogramKind.Transit) =>
        new(kind, group, (int)(days / 0.25), Weight(count));

    /// <summary>Transit of 1 to 3 delivery days, evenly; handling 0.5 days; ready to predict.</summary>
    private static DeliveryModel ShortTransits(params HistogramRow[] more) => new(
        PredictionOptions.Default,
        [.. Enumerable.Range(4, 9).Select(bin => new HistogramRow(HistogramKind.Transit, "global", bin, Weight(100))), Row("global", 0.5, 900, HistogramKind.Handling), .. more],
        learnedDeliveries: 900);

    private static OrderFacts InTransit(DateTimeOffset handedOver, DateTimeOffset promise) =>
        new(Berlin, handedOver.AddDays(-1), promise, handedOver, "DE-BE", "DE-BY", "seller-1", "Parcelo", "standard");

    [Fact]
    public void AGroupWithoutSamplesIsItsParent()
    {
        var model = ShortTransits();

        var lane = model.Distribution(HistogramKind.Transit, ["global", "to:DE-BY", "lane:DE-BE>DE-BY"], Now)!;
        var global = model.Distribution(HistogramKind.Transit, ["global"], Now)!;

        Enumerable.Range(0, 241).Select(k => lane[k]).ShouldBe(Enumerable.Range(0, 241).Select(k => global[k]));
    }

    [Fact]
    public void AGroupWithManySamplesIsAlmostItself()
    {
        var model = ShortTransits(Row("lane:DE-BE>DE-BY", 7, 20_000));

        var lane = model.Distribution(HistogramKind.Transit, ["global", "lane:DE-BE>DE-BY"], Now)!;

        lane[28].ShouldBe(1, 0.002);
        lane.Survival(3).ShouldBe(1, 0.002);
    }

    [Fact]
    public void AFewSamplesMoveAGroupPartWayFromItsParent()
    {
        // 20 samples with m = 20: half its own, half its parent.
        var model = ShortTransits(Row("lane:DE-BE>DE-BY", 7, 20));

        var lane = model.Distribution(HistogramKind.Transit, ["global", "lane:DE-BE>DE-BY"], Now)!;

        lane[28].ShouldBe(0.5, 1e-12);
        lane[4].ShouldBe(0.5 / 9, 1e-12);
    }

    [Fact]
    public void PLateNeverFallsWhileAParcelWaitsInTransit()
    {
        var model = ShortTransits();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));
        var order = InTransit(handedOver, handedOver.AddDays(3));

        var probabilities = Enumerable.Range(0, 72).Select(h => model.ProbabilityLate(order, Now, handedOver.AddHours(h))!.Value).ToList();

        probabilities.Zip(probabilities.Skip(1)).ShouldAllBe(pair => pair.Second >= pair.First);
        probabilities[0].ShouldBeLessThan(probabilities[^1]);
    }

    [Fact]
    public void APromiseBeyondEverySampleIsNotLate()
    {
        var model = ShortTransits();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));

        model.ProbabilityLate(InTransit(handedOver, handedOver.AddDays(30)), Now, handedOver.AddDays(1)).ShouldBe(0);
    }

    [Fact]
    public void AParcelOlderThanEverySampleIsLate()
    {
        var model = ShortTransits();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));

        model.ProbabilityLate(InTransit(handedOver, handedOver.AddDays(30)), Now, handedOver.AddDays(8))!.Value.ShouldBeGreaterThan(0.99);
    }

    [Fact]
    public void BeforeHandOffTheHandlingStillToComeAddsRisk()
    {
        var model = ShortTransits();
        var placed = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));
        var waiting = new OrderFacts(Berlin, placed, placed.AddDays(3.2), ShipFrom: "DE-BE", ShipTo: "DE-BY");

        var early = model.ProbabilityLate(waiting, Now, placed.AddHours(1))!.Value;
        var stuck = model.ProbabilityLate(waiting, Now, placed.AddDays(2))!.Value;

        early.ShouldBeLessThan(0.5);
        stuck.ShouldBeGreaterThan(early);
    }

    [Fact]
    public void NothingIsPredictedBeforeMinSamplesOrAfterThePromise()
    {
        var rows = ShortTransits().Rows();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));
        var order = InTransit(handedOver, handedOver.AddDays(2));

        new DeliveryModel(PredictionOptions.Default, rows, 99).Assess(order, handedOver.AddHours(1))!.Probability.ShouldBeNull();
        new DeliveryModel(PredictionOptions.Default, rows, 100).Assess(order, handedOver.AddHours(1))!.Probability.ShouldNotBeNull();
        new DeliveryModel(PredictionOptions.Default, rows, 100).Assess(order, handedOver.AddDays(2)).ShouldBeNull();
    }

    [Fact]
    public void TheCrossingInstantIsTheFirstSecondAtRisk()
    {
        var model = ShortTransits();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));
        var order = InTransit(handedOver, handedOver.AddDays(3));

        var crossing = model.Crossing(order, handedOver, order.PromisedBy)!.Value;

        crossing.ShouldBeGreaterThan(handedOver);
        crossing.ShouldBeLessThan(order.PromisedBy);
        model.ProbabilityLate(order, Now, crossing)!.Value.ShouldBeGreaterThanOrEqualTo(model.Options.Threshold);
        model.ProbabilityLate(order, Now, crossing.AddSeconds(-1))!.Value.ShouldBeLessThan(model.Options.Threshold);
    }

    [Fact]
    public void AnOvernightCrossingIsAssessedAtEightInTheEveningLookingAtTheMorning()
    {
        var model = ShortTransits();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));
        var order = InTransit(handedOver, handedOver.AddDays(3));
        var crossing = model.Crossing(order, handedOver, order.PromisedBy)!.Value;
        var local = TimeZoneInfo.ConvertTime(crossing, Berlin);
        var evening = new DeliveryClock(Berlin, PredictionOptions.Default.DayWeights)
            .At(DateOnly.FromDateTime(local.DateTime).AddDays(local.Hour < 8 ? -1 : 0), new TimeOnly(20, 0));
        var overnight = local.Hour is >= 20 or < 8;

        var next = model.NextCrossing(order, handedOver, handedOver.AddDays(5));
        var atNext = model.Assess(order, next)!;

        next.ShouldBe(overnight ? evening : crossing);
        atNext.AtRisk.ShouldBeTrue();
        model.Assess(order, next.AddMinutes(-1))!.AtRisk.ShouldBeFalse();
    }

    [Fact]
    public void TheNextAssessmentIsAtMostReassessAfterAwayAndNeverPastThePromise()
    {
        var model = ShortTransits();
        var handedOver = new DateTimeOffset(2025, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));

        model.Assess(InTransit(handedOver, handedOver.AddDays(30)), handedOver)!.NextAssessmentAt.ShouldBe(handedOver + model.Options.ReassessAfter);
        model.Assess(InTransit(handedOver, handedOver.AddHours(5)), handedOver)!.NextAssessmentAt.ShouldBeLessThanOrEqualTo(handedOver.AddHours(5));
    }

    [Fact]
    public void RowsRebuildTheSameModel()
    {
        var history = SyntheticHistory.Generate(600, seed: 3);
        var first = new OnlineReplay(new DeliveryModel(PredictionOptions.Default), DateTimeOffset.MaxValue);
        first.Run(history.Select(e => e.CloudEvent));
        var rows = first.Model.Rows();
        var copy = new DeliveryModel(PredictionOptions.Default, rows, first.Model.LearnedDeliveries);
        var handedOver = history[^1].At;
        var order = InTransit(handedOver, handedOver.AddDays(4)) with { Carrier = "Swiftpost" };

        copy.Rows().ShouldBe(rows);
        copy.ProbabilityLate(order, handedOver, handedOver.AddDays(2)).ShouldBe(first.Model.ProbabilityLate(order, handedOver, handedOver.AddDays(2)));
        rows.Zip(rows.Skip(1)).ShouldAllBe(pair => pair.First.Kind < pair.Second.Kind
            || (pair.First.Kind == pair.Second.Kind && string.CompareOrdinal(pair.First.Group, pair.Second.Group) < 0)
            || (pair.First.Kind == pair.Second.Kind && pair.First.Group == pair.Second.Group && pair.First.Bin < pair.Second.Bin));
    }

    [Fact]
    public void ABadRowIsRefusedNamingTheField()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new DeliveryModel(PredictionOptions.Default, [new(HistogramKind.Transit, "global", 241, 1)]))
            .ParamName.ShouldBe("bin");
        Should.Throw<ArgumentOutOfRangeException>(() => new DeliveryModel(PredictionOptions.Default, [new(HistogramKind.Transit, "global", 3, double.NaN)]))
            .ParamName.ShouldBe("weight");
        Should.Throw<ArgumentException>(() => new DeliveryModel(PredictionOptions.Default with { Threshold = 1.5 })).Message.ShouldContain("Threshold");
    }
}
