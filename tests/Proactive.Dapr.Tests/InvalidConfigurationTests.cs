using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Tests.Shared;
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

    /// <summary>Half a console configuration refuses the start: an app id or key without an address, an address without a key.</summary>
    [Theory]
    [InlineData("Proactive:Console:Tracker:AppId", "tracker", "Proactive:Console:Tracker:Address is required when AppId or ApiKey is set (without it the console is off)")]
    [InlineData("Proactive:Console:Tracker:Address", "http://127.0.0.1:3500", "Proactive:Console:Tracker:ApiKey is required with Address: Tracker's API needs a key holding orders:read")]
    [InlineData("Proactive:Console:Tracker:Address", "127.0.0.1:3500", "Proactive:Console:Tracker:Address must be an http:// or https:// address (daprd's gRPC port or Tracker's), not '127.0.0.1:3500'")]
    public void NotifierRefusesHalfAConsoleConfigurationNamingTheKey(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (value.StartsWith("127.", StringComparison.Ordinal))
        {
            settings["Proactive:Console:Tracker:ApiKey"] = "pak_anything";
        }

        var refused = Should.Throw<Exception>(() => DaprServiceHost<NotifierProgram>.Start(sidecar, new FakeTimeProvider(), settings));

        Failures(refused).ShouldBe([message]);
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

    [Theory]
    [InlineData("Proactive.Tracker.dll", "Proactive:Tracker:PollInterval", "Proactive:Tracker:PollInterval must be positive")]
    [InlineData("Proactive.Notifier.dll", "Proactive:Dispatch:Lease", "Proactive:Dispatch:Lease must be positive")]
    public async Task TheServiceProcessPrintsTheRefusalAndExitsWithoutAStackTrace(string service, string key, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("proactive-refusal").FullName;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, service), "--APP_PORT=0", "--Proactive:HttpUrl=http://127.0.0.1:0", $"--{key}=00:00:00" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);

            process.ExitCode.ShouldBe(1);
            (await error).ShouldContain($"Invalid configuration, not started:{Environment.NewLine}  {message}");
            ((await error) + (await output)).ShouldNotContain("Unhandled exception");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The harness's own guard: when the program's RunAsync disposes a refused host before the
    /// factory reads it, the factory throws ObjectDisposedException; the start still reports the refusal.
    /// </summary>
    [Fact]
    public void ARefusedStartIsReportedForItsOptionsEvenWhenTheFactoryThenFindsTheHostDisposed()
    {
        var services = new ServiceCollection();
        services.AddOptions<StartValidationProbe>().Validate(_ => false, "Probe:Value must be positive").ValidateOnStart();
        var validation = new StartValidation();
        validation.Watch(services);
        using var provider = services.BuildServiceProvider();

        var refused = Should.Throw<Exception>(() => validation.Start(() =>
        {
            Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
            throw new ObjectDisposedException("IServiceProvider");
        }));

        Failures(refused).ShouldBe(["Probe:Value must be positive"]);
    }

    private sealed class StartValidationProbe;

    private static IEnumerable<string> Failures(Exception e) => e switch
    {
        OptionsValidationException invalid => invalid.Failures,
        AggregateException all => all.InnerExceptions.SelectMany(Failures),
        _ => throw new ShouldAssertException($"Not refused for its options: {e}"),
    };
}
