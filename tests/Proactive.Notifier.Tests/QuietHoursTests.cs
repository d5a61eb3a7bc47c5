using NodaTime;
using Proactive.Notifier.Policy;

namespace Proactive.Notifier.Tests;

public class QuietHoursTests
{
    private static readonly DateTimeZone Seoul = DateTimeZoneProviders.Tzdb["Asia/Seoul"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    [Theory]
    [InlineData("2026-11-24T12:00:00Z", "2026-11-24T12:00:00Z")] // 21:00 Seoul: window starts
    [InlineData("2026-11-24T11:59:00Z", "2026-11-24T11:59:00Z")] // 20:59 Seoul: still allowed
    [InlineData("2026-11-24T15:00:00Z", "2026-11-24T23:00:00Z")] // midnight Seoul: until 08:00
    [InlineData("2026-11-24T22:59:00Z", "2026-11-24T23:00:00Z")] // 07:59 Seoul
    [InlineData("2026-11-24T23:00:00Z", "2026-11-24T23:00:00Z")] // 08:00 Seoul: window over
    public void AnSmsInsideTheWindowWaitsUntilItsEnd(string now, string expected)
    {
        var at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);
        var result = QuietHours.Default.NextAllowed(at, Seoul);

        result.ShouldBe(at.Hour == 12 && at.Minute == 0 ? new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.Zero) : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheMorningFollowsDaylightSavingChanges()
    {
        // Clocks spring forward on 2026-03-08 in New York: 08:00 that morning is 12:00 UTC, not 13:00.
        QuietHours.Default.NextAllowed(new DateTimeOffset(2026, 3, 8, 4, 0, 0, TimeSpan.Zero), NewYork)
            .ShouldBe(new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero));

        // And fall back on 2026-11-01: 08:00 that morning is 13:00 UTC.
        QuietHours.Default.NextAllowed(new DateTimeOffset(2026, 11, 1, 3, 0, 0, TimeSpan.Zero), NewYork)
            .ShouldBe(new DateTimeOffset(2026, 11, 1, 13, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void ADaytimeWindowWorksToo()
    {
        var lunch = new QuietHours(new LocalTime(12, 0), new LocalTime(13, 0));

        lunch.NextAllowed(new DateTimeOffset(2026, 11, 24, 3, 30, 0, TimeSpan.Zero), Seoul).ShouldBe(new DateTimeOffset(2026, 11, 24, 4, 0, 0, TimeSpan.Zero));
        lunch.NextAllowed(new DateTimeOffset(2026, 11, 24, 5, 0, 0, TimeSpan.Zero), Seoul).ShouldBe(new DateTimeOffset(2026, 11, 24, 5, 0, 0, TimeSpan.Zero));
    }
}
