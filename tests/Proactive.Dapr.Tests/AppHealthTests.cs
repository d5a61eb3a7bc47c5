using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tests.Shared;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// What daprd and Kubernetes learn from the app's health: daprd's app health probe follows the
/// store (an unhealthy app gets no deliveries, so an outage leaves events in the broker), liveness
/// looks at the process only, readiness at the store.
/// </summary>
public sealed class AppHealthTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Now);
    private FakeSidecar sidecar = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => sidecar = await FakeSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await sidecar.DisposeAsync();

    [Fact]
    public async Task WhileTheDatabaseRefusesConnectionsDaprdsHealthProbeFailsAndReadinessIs503ButLivenessStays()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(database).Database!;
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Store"] = "Postgres",
            ["ConnectionStrings:Proactive"] = database,
            ["APP_API_TOKEN"] = "s3cret",
        });
        using var daprd = new StandInDaprd(tracker.AppAddress); // the probe carries no token, as daprd's
        using var http = new HttpClient { BaseAddress = new Uri(tracker.HttpAddress) };
        await daprd.HealthCheckAsync();

        await AllowConnectionsAsync(name, false);
        try
        {
            var refused = await Should.ThrowAsync<RpcException>(daprd.HealthCheckAsync());
            refused.StatusCode.ShouldBe(StatusCode.Unavailable);
            refused.Status.Detail.ShouldContain("store");
            ((int)(await http.GetAsync("/healthz", Ct)).StatusCode).ShouldBe(503);
            using var live = await http.GetAsync("/livez", Ct);
            ((int)live.StatusCode).ShouldBe(200);
        }
        finally
        {
            await AllowConnectionsAsync(name, true);
        }

        await daprd.HealthCheckAsync();
        ((int)(await http.GetAsync("/healthz", Ct)).StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task LivenessLooksAtNothingButTheProcess()
    {
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, time);
        using var http = new HttpClient { BaseAddress = new Uri(tracker.HttpAddress) };

        using var live = await http.GetAsync("/livez", Ct);

        ((int)live.StatusCode).ShouldBe(200);
        var body = await live.Content.ReadFromJsonAsync<JsonElement>(Ct);
        body.GetProperty("status").GetString().ShouldBe("Healthy");
        body.GetProperty("checks").EnumerateObject().ShouldBeEmpty();
        var ready = await http.GetFromJsonAsync<JsonElement>("/healthz", Ct);
        ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).ShouldBe(["store", "queues"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("/dapr.proto.runtime.v1.AppCallback/ListTopicSubscriptions", false)]
    [InlineData("/dapr.proto.runtime.v1.AppCallbackHealthCheck/HealthCheck", false)]
    [InlineData("/dapr.proto.runtime.v1.AppCallback/OnTopicEvent", true)]
    [InlineData("/dapr.proto.runtime.v1.AppCallback/OnBulkTopicEvent", true)]
    [InlineData("/dapr.proto.runtime.v1.AppCallbackAlpha/OnBulkTopicEventAlpha1", true)]
    [InlineData("/dapr.proto.runtime.v1.AppCallback/OnInvoke", true)]
    [InlineData("/grpc.health.v1.Health/Check", false)]
    [InlineData("/proactive.tracker.v1.OrderTracking/GetOrder", false)]
    public void OnlyTheCallsDaprdMakesWithoutTheTokenAreExempt(string method, bool guarded)
    {
        DaprApiTokenInterceptor.Guarded(method).ShouldBe(guarded);
    }

    /// <summary>Takes the database away from every client (new connections refused, open ones ended), or gives it back.</summary>
    private static async Task AllowConnectionsAsync(string name, bool allow)
    {
        await using var admin = new NpgsqlConnection(TestPostgres.Admin);
        await admin.OpenAsync(Ct);
        await using var alter = new NpgsqlCommand($"ALTER DATABASE {name} ALLOW_CONNECTIONS {(allow ? "true" : "false")}", admin);
        await alter.ExecuteNonQueryAsync(Ct);
        if (!allow)
        {
            await using var end = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'", admin);
            await end.ExecuteNonQueryAsync(Ct);
        }
    }
}
