using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>The summary built from the store's counts.</summary>
public class VoiceSummaryReportTests
{
    private static readonly VoiceRange Range = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private static Dictionary<VoiceDimension, List<VoiceTally>> Empty() => Enum.GetValues<VoiceDimension>().ToDictionary(d => d, _ => new List<VoiceTally>());

    [Fact]
    public void AnEmptyCohortHasNoMeanRatherThanNaN()
    {
        var csat = VoiceSummaryReport.Csat("never_told", []);
        csat.Answered.ShouldBe(0);
        csat.HasMeanScore.ShouldBeFalse();
        csat.HasShare4To5.ShouldBeFalse();
        Google.Protobuf.JsonFormatter.Default.Format(csat).ShouldNotContain("NaN");
    }

    [Fact]
    public void TopicsOfAnItemCountEachAndNegativesAreCountedApart()
    {
        var tallies = Empty();
        tallies[VoiceDimension.Topics] = [new("damaged late", "negative", 2), new("late", "positive", 1), new("", "neutral", 4)];
        tallies[VoiceDimension.Carrier] = [new(null, "neutral", 3), new("CJ Logistics", "negative", 2), new("CJ Logistics", "positive", 1)];

        var summary = VoiceSummaryReport.Build(Range, 7, (0, 0), tallies, [], []);

        summary.ByTopic.Select(c => (c.Key, c.Count, c.Negative)).ShouldBe([("late", 3, 2), ("damaged", 2, 2)]);
        summary.ByCarrier.Select(c => (c.Key, c.Count, c.Negative)).ShouldBe([("CJ Logistics", 3, 2), ("none", 3, 0)]);
        summary.Totals.HasResponseRate.ShouldBeFalse();
        summary.Csat.Select(c => c.Cohort).ShouldBe(["told_early", "told_late", "never_told", "not_delayed"]);
    }
}
