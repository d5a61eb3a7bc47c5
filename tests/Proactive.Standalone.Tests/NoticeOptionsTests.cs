namespace Proactive.Standalone.Tests;

/// <summary>Notice options are checked when the process starts, not when the first message needs them.</summary>
public class NoticeOptionsTests
{
    [Theory]
    [InlineData("Proactive__Notices__QuietHoursStart", "25:00", "Proactive:Notices:QuietHoursStart '25:00' is not a time of day as HH:mm")]
    [InlineData("Proactive__Notices__QuietHoursEnd", "8am", "Proactive:Notices:QuietHoursEnd '8am' is not a time of day as HH:mm")]
    [InlineData("Proactive__Notices__RenotifySlip", "00:00:00", "Proactive:Notices:RenotifySlip must be positive")]
    [InlineData("Proactive__Notices__MaxPerOrderPer24Hours", "0", "Proactive:Notices:MaxPerOrderPer24Hours must be at least 1")]

    // Tracker's last call falls back to the same zone: whichever of the two checks is read first names the key.
    [InlineData("Proactive__Notices__DefaultTimeZone", "Mars/Base", "Proactive:Notices:DefaultTimeZone")]
    public async Task ABadNoticeOptionInTheEnvironmentStopsTheHostNamingTheKey(string variable, string value, string message)
    {
        var (exitCode, output) = await StartRefusals.RunWithEnvironmentAsync((variable, value));

        exitCode.ShouldNotBe(0);
        output.ShouldContain(message);
    }

    [Fact]
    public async Task AnUnknownDefaultZoneIsNamedByNotifierToo()
    {
        // Tracker's own zone set, so only the Notifier's falls back to nothing.
        var (exitCode, output) = await StartRefusals.RunWithEnvironmentAsync(
            ("Proactive__Notices__DefaultTimeZone", "Mars/Base"), ("Proactive__Tracker__DefaultTimeZone", "Asia/Seoul"));

        exitCode.ShouldNotBe(0);
        output.ShouldContain("Proactive:Notices:DefaultTimeZone 'Mars/Base' is not an IANA time zone");
    }
}
