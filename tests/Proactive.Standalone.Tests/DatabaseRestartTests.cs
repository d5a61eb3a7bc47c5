using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

[CollectionDefinition(nameof(DatabaseRestart), DisableParallelization = true)]
public sealed class DatabaseRestart;

/// <summary>Restarts the shared PostgreSQL cluster, so it runs alone, after the parallel tests.</summary>
[Collection(nameof(DatabaseRestart))]
public class DatabaseRestartTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;

    [Fact]
    public async Task APostgresRestartIsSurvivedByThePooledConnections()
    {
        await using var host = await StandaloneHost.StartAsync(store: StoreKind.Postgres);
        await host.AcceptAsync(OrderPlaced("PG-1", Now.AddHours(-2), Now.AddDays(2)));
        await host.DrainAsync();

        await TestPostgres.RestartAsync();

        await host.AcceptAsync(ShipmentCreated("PG-1", "S-1", Now.AddHours(-1), Now.AddDays(4)));
        await host.DrainAsync();
        host.Twilio.Messages.ShouldHaveSingleItem();
    }
}
