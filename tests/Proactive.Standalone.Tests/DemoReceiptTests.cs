using Microsoft.Extensions.Configuration;
using Proactive.Standalone.Demo;

namespace Proactive.Standalone.Tests;

/// <summary>The demo shows a delivery receipt arriving, playing Twilio's part itself.</summary>
public class DemoReceiptTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public async Task TheDemoPostsASignedDeliveredCallbackAndShowsTheNoticeDelivered()
    {
        await using var host = await StandaloneHost.StartAsync(settings: [.. DemoScenario.Settings, .. DemoDeliveryReceipt.Defaults(Configuration())]);
        await host.AcceptAsync(DemoScenario.Events(StandaloneHost.Start).Select(e => e.Event).ToArray());
        await host.DrainAsync();
        using var output = new StringWriter();

        (await DemoDeliveryReceipt.ShowAsync(host.Client, host.Services, output, TestContext.Current.CancellationToken)).ShouldBeTrue(output.ToString());

        var text = output.ToString();
        text.ShouldContain("stands in for Twilio");
        text.ShouldContain("POST http://localhost:5080/v1/webhooks/twilio/status?notice=DEMO-EN-2001%2Fdelay-1%2F1%2Fsms  MessageStatus=delivered -> 200");
        text.ShouldContain("receipt from twilio: delivered");
        var notices = (await host.NoticesAsync(DemoScenario.EnglishOrder)).EnumerateArray().ToList();
        notices.Single(n => n.GetProperty("channel").GetString() == "SMS").GetProperty("status").GetString().ShouldBe("delivered");
        notices.Single(n => n.GetProperty("channel").GetString() == "EMAIL").GetProperty("status").GetString().ShouldBe("sent");
    }

    [Fact]
    public void TheDemosWebhookAddressIsItsOwnUnlessConfigured()
    {
        DemoDeliveryReceipt.Defaults(Configuration(("urls", "http://127.0.0.1:5999;http://127.0.0.1:6000"), ("Twilio:AuthToken", "real")))
            .ShouldBe([new("Proactive:Webhooks:PublicBaseUrl", "http://localhost:5999")]);
        DemoDeliveryReceipt.Defaults(Configuration(("urls", "http://+:5080")))
            .ShouldBe([new("Proactive:Webhooks:PublicBaseUrl", "http://localhost:5080"), new("Proactive:Webhooks:Twilio:AuthToken", DemoDeliveryReceipt.DemoWebhookSecret)]);
        DemoDeliveryReceipt.Defaults(Configuration(("Proactive:Webhooks:PublicBaseUrl", "https://proactive.example.com"), ("Proactive:Webhooks:Twilio:AuthToken", "mine")))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task WithoutAPublicAddressTheDemoSaysSoRatherThanFail()
    {
        await using var host = await StandaloneHost.StartAsync(settings: DemoScenario.Settings);
        using var output = new StringWriter();

        (await DemoDeliveryReceipt.ShowAsync(host.Client, host.Services, output, TestContext.Current.CancellationToken)).ShouldBeFalse();

        output.ToString().ShouldContain("PublicBaseUrl is not set");
    }
}
