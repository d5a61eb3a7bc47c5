using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>The from/to range of the voice summary and export.</summary>
public class VoiceRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void WithoutFromAndToItIsTheLastThirtyDays()
    {
        var (range, errors) = VoiceRange.Parse(null, "", Now);
        errors.ShouldBeEmpty();
        range.ShouldBe(new VoiceRange(Now.AddDays(-30), Now));
    }

    [Fact]
    public void FromDefaultsToThirtyDaysBeforeTo()
    {
        var (range, _) = VoiceRange.Parse(null, "2026-11-01T00:00:00+09:00", Now);
        range.ShouldBe(new VoiceRange(new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.FromHours(9)), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(9))));
    }

    [Fact]
    public void AnUnescapedPlusOffsetIsRead()
    {
        var (range, errors) = VoiceRange.Parse("2026-11-01T00:00:00 09:00", null, Now);
        errors.ShouldBeEmpty();
        range!.From.ShouldBe(new DateTimeOffset(2026, 10, 31, 15, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("yesterday", null, "from")]
    [InlineData("2026-11-01", null, "from")]
    [InlineData("2026-11-01T00:00:00", null, "from")]
    [InlineData(null, "2026-13-01T00:00:00Z", "to")]
    [InlineData("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z", "from")]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", "from")]
    [InlineData("2025-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "from")]
    [InlineData(null, "0001-01-02T00:00:00Z", "to")]
    public void ABadRangeIsRefusedNamingTheField(string? from, string? to, string field)
    {
        var (range, errors) = VoiceRange.Parse(from, to, Now);
        range.ShouldBeNull();
        errors.ShouldHaveSingleItem().Field.ShouldBe(field);
    }

    [Fact]
    public void ThreeHundredSixtySixDaysIsAllowed()
    {
        var (range, errors) = VoiceRange.Parse("2025-11-30T00:00:00Z", "2026-12-01T00:00:00Z", Now);
        errors.ShouldBeEmpty();
        range.ShouldNotBeNull();
    }
}
