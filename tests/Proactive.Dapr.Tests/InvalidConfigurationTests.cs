using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NotifierProgram = Proactive.Notifier.Program;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>Each Dapr-hosted service refuses to start on a setting that cannot work, naming the key.</summary>
public sealed class InvalidConfigurationTests : IAsyncLifetime
{
    private FakeSidecar sidecar = null!;

    public async ValueTask InitializeAsync() => sidecar = await FakeSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await sidecar.DisposeAsync();

    [Theory]
    [InlineData("Proactive:Dapr:BulkMaxMessages", "0", "Proactive:Dapr:BulkMaxMessages must be positive")]
    [InlineData("Proactive:Tracker:PollInterval", "00:00:00", "Proactive:Tracker:PollInterval must be positive")]
    public void TrackerRefusesABadSettingNamingTheKey(string key, string value, string message)
    {
        var refused = Should.Throw<Exception>(() => DaprServiceHost<TrackerProgram>.Start(sidecar, new FakeTimeProvider(), new Dictionary<string, string?> { [key] = value }));

        Failures(refused).ShouldBe([message]);
    }

    [Fact]
    public void NotifierRefusesABadDispatchSettingNamingTheKey()
    {
        var refused = Should.Throw<Exception>(() => DaprServiceHost<NotifierProgram>.Start(sidecar, new FakeTimeProvider(), new Dictionary<string, string?>
        {
            ["Proactive:Dispatch:Lease"] = "00:00:00",
        }));

        Failures(refused).ShouldBe(["Proactive:Dispatch:Lease must be positive"]);
    }

    [Fact]
    public void NotifierRequiringProvidersRefusesToStartWithoutTwilioCredentialsNamingTheKeys()
    {
        var refused = Should.Throw<Exception>(() => DaprServiceHost<NotifierProgram>.Start(sidecar, new FakeTimeProvider(), new Dictionary<string, string?>
        {
            ["Proactive:Dispatch:RequireProviders"] = "true",
            ["SendGrid:ApiKey"] = "SG.key",
            ["SendGrid:From"] = "news@shop.example",
        }));

        Failures(refused).Select(f => f[..f.IndexOf(" must", StringComparison.Ordinal)]).ShouldBe(
            ["Twilio:AccountSid", "Twilio:AuthToken", "Twilio:From or Twilio:MessagingServiceSid"]);
    }

    private static IEnumerable<string> Failures(Exception e) => e switch
    {
        OptionsValidationException invalid => invalid.Failures,
        AggregateException all => all.InnerExceptions.SelectMany(Failures),
        _ => throw new ShouldAssertException($"Not refused for its options: {e}"),
    };
}
