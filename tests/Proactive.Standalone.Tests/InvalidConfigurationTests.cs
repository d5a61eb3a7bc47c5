namespace Proactive.Standalone.Tests;

/// <summary>
/// The real standalone process with a setting that cannot work exits at start with exit code 1
/// and a message naming each key at fault.
/// </summary>
public class InvalidConfigurationTests
{
    [Fact]
    public async Task AZeroPollIntervalFromTheEnvironmentStopsTheHostNamingTheKey()
    {
        var (exitCode, output) = await StartRefusals.RunAsync([], [("Proactive__Dispatch__PollInterval", "00:00:00")]);

        exitCode.ShouldBe(1);
        output.ShouldContain($"Invalid configuration, not started:{Environment.NewLine}  Proactive:Dispatch:PollInterval must be positive");
    }

    [Theory]
    [InlineData("Twilio:AccountSid", "AC1", "Twilio:AuthToken must be set with AccountSid")]
    [InlineData("SendGrid:Host", "sendgrid.local", "SendGrid:Host 'sendgrid.local' must be an absolute http(s) URL")]
    [InlineData("Proactive:Tracker:PollInterval", "-00:00:01", "Proactive:Tracker:PollInterval must be positive")]
    [InlineData("Proactive:Queues:RetryMaxDelay", "00:00:01", "Proactive:Queues:RetryMaxDelay must be at least RetryBaseDelay")]
    public async Task ABadSettingOfAnySectionStopsTheHostNamingTheKey(string key, string value, string message)
    {
        var (exitCode, output) = await StartRefusals.RunAsync((key, value));

        exitCode.ShouldBe(1);
        output.ShouldContain($"Invalid configuration, not started:{Environment.NewLine}  {message}");
    }
}
