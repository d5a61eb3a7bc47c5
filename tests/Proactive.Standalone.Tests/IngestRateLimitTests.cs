using System.Net.Http.Json;
using System.Text.Json;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Per-source token buckets on the HTTP ingest, on the host's (fake) clock.</summary>
public sealed class IngestRateLimitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = Now.AddDays(3);
    private StandaloneHost host = null!;

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Proactive:Ingest:EventsPerSecondPerSource"] = "1",
        ["Proactive:Ingest:BurstPerSource"] = "2",
    });

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private async Task<int> StatusOfAsync(string orderId)
    {
        using var response = await host.Client.GetAsync($"/v1/orders/{orderId}", TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task ASourceOverItsRateIsTold429WithRetryAfterAndNothingIsStored()
    {
        await host.AcceptAsync(OrderPlaced("R-1", Now, Promise), OrderPlaced("R-2", Now, Promise));

        using (var over = await host.PostAsync("orders", OrderPlaced("R-3", Now, Promise)))
        {
            ((int)over.StatusCode).ShouldBe(429);
            over.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        }

        (await StatusOfAsync("R-3")).ShouldBe(404);

        // Another source has its own bucket; this one refills with the clock.
        await host.AcceptAsync(ShipmentCreated("R-1", "S-1", Now, Promise));
        host.Time.Advance(TimeSpan.FromSeconds(1));
        await host.AcceptAsync(OrderPlaced("R-3", Now, Promise));
        (await StatusOfAsync("R-3")).ShouldBe(200);
    }

    [Fact]
    public async Task InABatchTheEntriesOverTheRateAreThrottledAndSaidToBe()
    {
        using var response = await host.PostBatchAsync("orders", OrderPlaced("T-1", Now, Promise), OrderPlaced("T-2", Now, Promise), OrderPlaced("T-3", Now, Promise));

        ((int)response.StatusCode).ShouldBe(207);
        response.Headers.RetryAfter.ShouldNotBeNull();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("throttled").GetInt32()).ShouldBe((2, 1));
        answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()).ShouldBe(["accepted", "accepted", "throttled"]);
        (await StatusOfAsync("T-1")).ShouldBe(200);
        (await StatusOfAsync("T-3")).ShouldBe(404);

        using var again = await host.PostBatchAsync("orders", OrderPlaced("T-4", Now, Promise));
        ((int)again.StatusCode).ShouldBe(429);
    }

    [Fact]
    public async Task ARateOfZeroTurnsTheLimitOff()
    {
        await using var unlimited = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Proactive:Ingest:EventsPerSecondPerSource"] = "0",
            ["Proactive:Ingest:BurstPerSource"] = "1",
        });

        await unlimited.AcceptAsync([.. Enumerable.Range(0, 5).Select(i => OrderPlaced($"Z-{i}", Now, Promise))]);
    }

    [Theory]
    [InlineData("Proactive:Ingest:MaxClockSkew", "00:00:00")]
    [InlineData("Proactive:Ingest:MaxHorizon", "-1.00:00:00")]
    [InlineData("Proactive:Ingest:EventsPerSecondPerSource", "-1")]
    [InlineData("Proactive:Ingest:BurstPerSource", "0")]
    public async Task ABoundThatIsNotPositiveStopsTheStartNamingTheKey(string key, string value)
    {
        var (exitCode, output) = await StartRefusals.RunAsync((key, value));

        exitCode.ShouldNotBe(0);
        output.ShouldContain(key);
    }
}
