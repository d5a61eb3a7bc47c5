using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier.Incidents;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Incidents end to end through the standalone host's real ingest: orders shipped to one region,
/// the carrier's EXCEPTION events, Tracker's episodes, Notifier's one incident and one alert. Needs
/// Tracker to publish ship_to on each episode change (issue 13).
/// </summary>
public sealed class IncidentIngestTests : IAsyncLifetime
{
    private const string CxEmail = "cx-team@shop.example";

    private StandaloneHost host = null!;
    private FakeChatWebhook chat = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        chat = await FakeChatWebhook.StartAsync();
        host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Proactive:Incidents:WebhookUrl"] = chat.Url,
            ["Proactive:Incidents:AlertEmail"] = CxEmail,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync();
        await chat.DisposeAsync();
    }

    private static JsonObject ShippedTo(JsonObject placed, string region)
    {
        placed["data"]!["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = region, ["postalCode"] = "04524" };
        return placed;
    }

    [Fact]
    public async Task ThirtyCarrierExceptionsToOneRegionWithinAnHourOpenOneIncidentWithOneAlert()
    {
        for (var i = 1; i <= 30; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(90));
            var now = host.Time.GetUtcNow();
            var order = $"W-{i:00}";
            var promise = now.AddDays(2);
            await host.AcceptAsync(
                ShippedTo(OrderPlaced(order, now.AddHours(-3), promise), "KR-11"),
                ShipmentCreated(order, $"S-{i:00}", now.AddHours(-1), promise.AddHours(-3)),
                Tracking(order, $"S-{i:00}", now, "EXCEPTION", promise.AddDays(2), "WEATHER"));
            await host.DrainAsync();
            await host.Services.GetRequiredService<IncidentSweep>().SweepAsync(Ct);
            await host.Services.GetRequiredService<IncidentAlerter>().SendDueAsync(Ct);
        }

        var incident = (await host.Client.GetFromJsonAsync<JsonElement>("/v1/incidents", Ct)).GetProperty("incidents").EnumerateArray().ShouldHaveSingleItem();
        incident.GetProperty("orderCount").GetInt32().ShouldBe(30);
        incident.GetProperty("dimensions").EnumerateArray().Select(d => d.GetProperty("value").GetString()).ShouldBe(["CJ Logistics", "KR-11"]);
        chat.Accepted.ShouldHaveSingleItem().GetProperty("text").GetString()!.ShouldContain("20 delayed orders within 1 h - carrier CJ Logistics, destination KR-11");
        chat.Requests.ShouldBe(1);
        host.SendGrid.Mails.Count(m => m.To == CxEmail).ShouldBe(1);
    }
}
