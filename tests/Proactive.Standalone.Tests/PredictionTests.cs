using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Store;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>The delivery-time model end to end on SQLite: it learns the shop's deliveries and warns before the promise.</summary>
public sealed class PredictionTestsOnSqlite : PredictionTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class PredictionTestsOnPostgres : PredictionTests
{
    protected override StoreKind Store => StoreKind.Postgres;

    [Fact]
    public async Task AReplicaSeesWhatAnotherLearnedWithinTheRefreshInterval()
    {
        Settings["Proactive:Prediction:RefreshInterval"] = "00:10:00";
        await using var teacher = await StandaloneHost.StartAsync(store: Store, settings: Settings);
        Settings["ConnectionStrings:Proactive"] = teacher.Services.GetRequiredService<Database>().ConnectionString;
        await using var replica = await StandaloneHost.StartAsync(store: Store, settings: Settings);

        // The replica reads the (empty) model first; then the other one learns the shop's deliveries.
        await replica.AcceptAsync(OrderPlaced("R-0", Now.AddHours(-2), Promise));
        await TeachAsync(teacher);
        await replica.AcceptAsync(OrderPlaced("R-1", Now.AddHours(-2), Promise), ShipmentCreated("R-1", "S-1", Now, null));

        await AdvanceToAsync(replica, Promise.AddHours(-1));

        (await replica.OrderAsync("R-1")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("PREDICTED_LATE");
    }
}

/// <summary>
/// A shop whose parcels (Seoul customers) mostly arrive one or two working days after hand-off and
/// sometimes take a week. A parcel not delivered after two working days is then most likely one of
/// the slow ones: with a promise four days after hand-off, the model warns on the third day.
/// </summary>
public abstract class PredictionTests
{
    protected static readonly DateTimeOffset Now = StandaloneHost.Start; // Tuesday 24 November 2026, 10:00 in Seoul
    protected static readonly DateTimeOffset Promise = Now.AddDays(4);
    private static readonly int[] PastTransitDays = [1, 1, 2, 1, 2, 1, 2, 7, 7, 7];

    protected abstract StoreKind Store { get; }

    protected Dictionary<string, string?> Settings { get; } = new() { ["Proactive:Prediction:MinSamples"] = "10" };

    private Task<StandaloneHost> StartAsync(Action<IServiceCollection>? services = null, string? connectionString = null)
    {
        if (connectionString is not null)
        {
            Settings["ConnectionStrings:Proactive"] = connectionString;
        }

        return StandaloneHost.StartAsync(store: Store, settings: Settings, services: services);
    }

    /// <summary>Ten delivered orders handed over two weeks ago, on a Tuesday (the same weekdays as now).</summary>
    protected static async Task TeachAsync(StandaloneHost host)
    {
        for (var i = 0; i < PastTransitDays.Length; i++)
        {
            var handedOver = Now.AddDays(-14);
            await host.AcceptAsync(
                OrderPlaced($"H-{i}", handedOver.AddHours(-5), handedOver.AddDays(10)),
                ShipmentCreated($"H-{i}", $"HS-{i}", handedOver, null),
                Tracking($"H-{i}", $"HS-{i}", handedOver.AddDays(PastTransitDays[i]), "DELIVERED"));
        }

        await host.DrainAsync();
    }

    /// <summary>Hour by hour, as the background loops would see time pass (a single jump would run every due timer at its end).</summary>
    internal static async Task AdvanceToAsync(StandaloneHost host, DateTimeOffset at)
    {
        while (host.Time.GetUtcNow() < at)
        {
            var step = at - host.Time.GetUtcNow();
            await host.AdvanceAsync(step < TimeSpan.FromHours(1) ? step : TimeSpan.FromHours(1));
        }
    }

    [Fact]
    public async Task AParcelThatOutstaysTheShopsUsualTransitIsWarnedOfBeforeThePromise()
    {
        await using var host = await StartAsync();
        await TeachAsync(host);
        await host.AcceptAsync(OrderPlaced("P-1", Now.AddHours(-2), Promise), ShipmentCreated("P-1", "S-1", Now, null));
        await host.DrainAsync();

        // Three in ten past parcels took a week: not yet at risk at hand-off.
        (await host.OrderAsync("P-1")).GetProperty("state").GetString().ShouldBe("on_track");
        host.Twilio.Requests.ShouldBe(0);

        await AdvanceToAsync(host, Promise.AddHours(-1));

        var order = await host.OrderAsync("P-1");
        var episode = order.GetProperty("episodes").EnumerateArray().ShouldHaveSingleItem();
        episode.GetProperty("reason").GetString().ShouldBe("PREDICTED_LATE");
        var raisedAt = order.GetProperty("prediction").GetProperty("raisedAt").GetDateTimeOffset();
        raisedAt.ShouldBeGreaterThan(Now.AddDays(1));
        raisedAt.ShouldBeLessThan(Now.AddDays(3));
        order.GetProperty("prediction").GetProperty("probability").GetDouble().ShouldBeGreaterThanOrEqualTo(0.70);
        var notices = (await host.NoticesAsync("P-1")).EnumerateArray().ToList();
        notices.ShouldNotBeEmpty();
        notices.ShouldAllBe(n => n.GetProperty("reason").GetString() == "PREDICTED_LATE" && n.GetProperty("kind").GetString() == "AT_RISK" && n.GetProperty("status").GetString() == "sent");
        notices.Max(n => n.GetProperty("sentAt").GetDateTimeOffset()).ShouldBeLessThan(Promise);

        // On the CX console's list as at risk, not late.
        var watched = await host.Services.GetRequiredService<TrackerStore>().Database.ReadAsync(c => WatchRows.PageAsync(c, new WatchFilter(), 10), TestContext.Current.CancellationToken);
        var row = watched.ShouldHaveSingleItem();
        (row.OrderId, row.State, row.Reason).ShouldBe(("P-1", WatchRows.AtRisk, "PREDICTED_LATE"));
    }

    [Fact]
    public async Task WithoutEnoughDeliveriesTheModelSaysNothing()
    {
        Settings["Proactive:Prediction:MinSamples"] = "11";
        await using var host = await StartAsync();
        await TeachAsync(host);
        await host.AcceptAsync(OrderPlaced("P-2", Now.AddHours(-2), Promise), ShipmentCreated("P-2", "S-2", Now, null));
        await host.DrainAsync();

        await AdvanceToAsync(host, Promise.AddHours(-20));

        var order = await host.OrderAsync("P-2");
        order.GetProperty("episodes").GetArrayLength().ShouldBe(0);
        order.TryGetProperty("prediction", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task ModeOffNeitherLearnsNorWarns()
    {
        Settings["Proactive:Prediction:Mode"] = "Off";
        await using var host = await StartAsync();
        await TeachAsync(host);
        await host.AcceptAsync(OrderPlaced("P-3", Now.AddHours(-2), Promise), ShipmentCreated("P-3", "S-3", Now, null));
        await host.DrainAsync();

        await AdvanceToAsync(host, Promise.AddHours(-20));

        (await host.OrderAsync("P-3")).GetProperty("episodes").GetArrayLength().ShouldBe(0);
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
        (await c.ExecuteScalarAsync<long>("SELECT learned FROM tracker_model")).ShouldBe(0);
    }

    [Fact]
    public async Task TheModelSurvivesARestartAndEachDeliveryIsLearnedOnce()
    {
        // On SQLite the store lives in a folder of the test's own (a host deletes its folder when
        // disposed), and no pooled connection of the first process reaches the second.
        var folder = Directory.CreateTempSubdirectory("proactive-restart-").FullName;
        try
        {
            await RestartOnTheSameStoreAsync(Store == StoreKind.Sqlite ? $"Data Source={Path.Combine(folder, "proactive.db")}" : null);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task RestartOnTheSameStoreAsync(string? connectionString)
    {
        await using (var first = await StartAsync(connectionString: connectionString))
        {
            await TeachAsync(first);

            // A delivery said twice (another event id) teaches nothing more.
            await first.AcceptAsync(Tracking("H-0", "HS-0", Now.AddDays(-13), "DELIVERED", id: "again"));
            await first.DrainAsync();
            connectionString ??= first.Services.GetRequiredService<Database>().ConnectionString;
            await using var c = await first.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
            (await c.ExecuteScalarAsync<long>("SELECT learned FROM tracker_model")).ShouldBe(PastTransitDays.Length);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // A new process on the same store: it warns as the first would have, with nothing taught again.
        await using (var second = await StartAsync(connectionString: connectionString))
        {
            await second.AcceptAsync(OrderPlaced("P-4", Now.AddHours(-2), Promise), ShipmentCreated("P-4", "S-4", Now, null));
            await AdvanceToAsync(second, Promise.AddHours(-1));

            (await second.OrderAsync("P-4")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("PREDICTED_LATE");
        }
    }

    [Fact]
    public async Task InternalModeRecordsTheWarningTellsNoOneAndLeavesTheLastCall()
    {
        Settings["Proactive:Prediction:Mode"] = "Internal";
        await using var host = await StartAsync();
        await TeachAsync(host);
        await host.AcceptAsync(OrderPlaced("P-5", Now.AddHours(-2), Promise), ShipmentCreated("P-5", "S-5", Now, null));

        await AdvanceToAsync(host, Promise.AddHours(-16));

        var order = await host.OrderAsync("P-5");
        order.GetProperty("delay").GetProperty("reason").GetString().ShouldBe("PREDICTED_LATE");
        order.GetProperty("prediction").GetProperty("recordOnly").GetBoolean().ShouldBeTrue();
        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);

        // The last call still reaches the customer before the promise (09:00 on its day, in Seoul).
        await AdvanceToAsync(host, Promise.AddMinutes(-30));

        (await host.OrderAsync("P-5")).GetProperty("delay").GetProperty("reason").GetString().ShouldBe("PROMISE_AT_RISK");
        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("약속드린 날짜까지 도착하지 못할 수도 있어요.");
    }
}

/// <summary>How warnings turn out, counted (metrics are per process: these run alone).</summary>
[Collection(nameof(Telemetry))]
public sealed class PredictionOutcomeTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = Now.AddDays(4);

    [Fact]
    public async Task AWarnedParcelDeliveredOnTimeIsAFalseAlarmAndOneDeliveredLateWasRight()
    {
        var exported = new List<Metric>();
        await using var host = await StandaloneHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Proactive:Prediction:MinSamples"] = "10" },
            services: s => s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported)));
        int[] transits = [1, 1, 2, 1, 2, 1, 2, 7, 7, 7];
        for (var i = 0; i < transits.Length; i++)
        {
            await host.AcceptAsync(
                OrderPlaced($"H-{i}", Now.AddDays(-14).AddHours(-5), Now.AddDays(-4)),
                ShipmentCreated($"H-{i}", $"HS-{i}", Now.AddDays(-14), null),
                Tracking($"H-{i}", $"HS-{i}", Now.AddDays(-14 + transits[i]), "DELIVERED"));
        }

        await host.AcceptAsync(
            OrderPlaced("F-1", Now.AddHours(-2), Promise), ShipmentCreated("F-1", "S-1", Now, null),
            OrderPlaced("F-2", Now.AddHours(-2), Promise), ShipmentCreated("F-2", "S-2", Now, null));
        await PredictionTests.AdvanceToAsync(host, Promise.AddHours(-2));
        (await host.OrderAsync("F-1")).GetProperty("prediction").GetProperty("outcome").GetString().ShouldBe("");

        await host.AcceptAsync(Tracking("F-1", "S-1", Promise.AddHours(-1), "DELIVERED"));
        await host.AdvanceAsync(TimeSpan.FromHours(3));
        await host.AcceptAsync(Tracking("F-2", "S-2", Promise.AddHours(1), "DELIVERED"));
        await host.DrainAsync();

        (await host.OrderAsync("F-1")).GetProperty("prediction").GetProperty("outcome").GetString().ShouldBe("FALSE_ALARM");
        (await host.OrderAsync("F-2")).GetProperty("prediction").GetProperty("outcome").GetString().ShouldBe("LATE");
        var metrics = TelemetryTests.Collect(host, exported);
        TelemetryTests.Sum(metrics, "proactive.prediction.at_risk", ("prediction.mode", "notify")).ShouldBe(2);
        TelemetryTests.Sum(metrics, "proactive.prediction.outcomes", ("outcome", "false_alarm")).ShouldBe(1);
        TelemetryTests.Sum(metrics, "proactive.prediction.outcomes", ("outcome", "late")).ShouldBe(1);
    }
}

/// <summary>Bad prediction settings stop the start, naming the key.</summary>
public sealed class PredictionSettingsTests
{
    [Theory]
    [InlineData("Proactive:Prediction:Threshold", "1.5", "Proactive:Prediction:Threshold must be in (0, 1]")]
    [InlineData("Proactive:Prediction:Mode", "Loud", "Proactive:Prediction:Mode")]
    [InlineData("Proactive:Prediction:ReassessAfter", "00:00:10", "Proactive:Prediction:ReassessAfter must be at least a minute")]
    public async Task ABadSettingStopsTheHostNamingTheKey(string key, string value, string message)
    {
        var (exitCode, output) = await StartRefusals.RunAsync((key, value));

        exitCode.ShouldNotBe(0);
        output.ShouldContain(message);
    }
}
