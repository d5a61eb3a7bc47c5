using System.Text.Json;
using Grpc.Net.Client;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Proactive.Contracts.Notifier.V1;
using Proactive.Contracts.Tracker.V1;
using Proactive.Standalone.Demo;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

// One test counts the notifier's metrics, which are per process: run alone (see TelemetryTests).
[Collection(nameof(Telemetry))]
public class HostingTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;

    [Fact]
    public async Task WithTheBackgroundLoopsRunningNoticesGoOutOnTheirOwn()
    {
        await using var host = await StandaloneHost.StartAsync(background: true);
        var sms = host.Twilio.NextMessageAsync();
        var mail = host.SendGrid.NextMailAsync();

        await host.AcceptAsync(
            OrderPlaced("L-1", Now.AddHours(-2), Now.AddDays(2)),
            ShipmentCreated("L-1", "S-1", Now.AddHours(-1), Now.AddDays(1)),
            Tracking("L-1", "S-1", Now, "IN_TRANSIT", Now.AddDays(4)));

        (await sms.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).To.ShouldBe(KoreanPhone);
        (await mail.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).To.ShouldBe(KoreanEmail);
    }

    [Fact]
    public async Task WithoutProviderCredentialsMessagesGoToTheLocalOutboxMaskedCountedLocalNotSent()
    {
        var exported = new List<Metric>();
        await using var host = await StandaloneHost.StartAsync(providers: false, services: s => s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported)));
        await host.AcceptAsync(
            OrderPlaced("O-1", Now.AddHours(-2), Now.AddDays(2)),
            ShipmentCreated("O-1", "S-1", Now.AddHours(-1), Now.AddDays(4)));
        await host.DrainAsync();

        var lines = (await File.ReadAllLinesAsync(host.OutboxPath, TestContext.Current.CancellationToken)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Count.ShouldBe(2);
        lines.Select(l => l.GetProperty("channel").GetString()).Order().ShouldBe(["EMAIL", "SMS"]);
        lines.Single(l => l.GetProperty("channel").GetString() == "SMS").GetProperty("text").GetString()!.ShouldContain("배송이 늦어지고 있어요");
        string.Join('\n', lines.Select(l => l.GetRawText())).ShouldNotContain(KoreanPhone);
        string.Join('\n', lines.Select(l => l.GetRawText())).ShouldNotContain(KoreanEmail);
        host.Twilio.Requests.ShouldBe(0);

        var metrics = TelemetryTests.Collect(host, exported);
        TelemetryTests.Sum(metrics, "proactive.notifier.notices", ("outcome", "local")).ShouldBe(2);
        TelemetryTests.Sum(metrics, "proactive.notifier.notices", ("outcome", "sent")).ShouldBe(0);
        var notices = (await host.NoticesAsync("O-1")).EnumerateArray().ToList();
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.GetProperty("attemptLog").EnumerateArray().Single().GetProperty("outcome").GetString() == "local");
    }

    [Fact]
    public async Task RequiringProvidersWithoutTwilioCredentialsStopsTheHostNamingTheKeys()
    {
        var (exitCode, output) = await StartRefusals.RunAsync(
            ("Proactive:Dispatch:RequireProviders", "true"), ("SendGrid:ApiKey", "SG.key"), ("SendGrid:From", "news@shop.example"));

        exitCode.ShouldBe(1);
        output.ShouldContain($"Invalid configuration, not started:{Environment.NewLine}  Twilio:AccountSid must be set: Proactive:Dispatch:RequireProviders is true");
        output.ShouldContain("Twilio:AuthToken must be set");
        output.ShouldContain("Twilio:From or Twilio:MessagingServiceSid must be set");
        output.ShouldNotContain("SendGrid:");
    }

    [Fact]
    public async Task TheGrpcServicesAnswerBehindTheJsonApi()
    {
        await using var host = await StandaloneHost.StartAsync();
        await host.AcceptAsync(
            OrderPlaced("R-1", Now.AddHours(-2), Now.AddDays(2)),
            ShipmentCreated("R-1", "S-1", Now.AddHours(-1), Now.AddDays(4)));
        await host.DrainAsync();
        using var channel = GrpcChannel.ForAddress(host.Client.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.Handler() });

        var order = await new OrderTracking.OrderTrackingClient(channel).GetOrderAsync(new GetOrderRequest { OrderId = "R-1" }, cancellationToken: TestContext.Current.CancellationToken);
        var notices = await new NoticeLedger.NoticeLedgerClient(channel).ListNoticesAsync(new ListNoticesRequest { OrderId = "R-1" }, cancellationToken: TestContext.Current.CancellationToken);

        order.Delay.Reason.ShouldBe("ETA_SLIP");
        notices.Notices.Count.ShouldBe(2);
        notices.Notices.ShouldAllBe(n => n.Status == "sent");
    }

    [Fact]
    public async Task TheDemoScenarioProducesNoticesInKoreanAndEnglish()
    {
        await using var host = await StandaloneHost.StartAsync(settings: DemoScenario.Settings);

        await host.AcceptAsync(DemoScenario.Events(Now).Select(e => e.Event).ToArray());
        await host.DrainAsync();

        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.ShouldContain(m => m.Body.Contains("배송이 늦어지고 있어요", StringComparison.Ordinal));
        host.Twilio.Messages.ShouldContain(m => m.Body.Contains("bad weather has delayed your delivery", StringComparison.Ordinal));
        host.SendGrid.Mails.Count.ShouldBe(2);
    }
}
