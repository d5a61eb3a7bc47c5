using Microsoft.Extensions.Hosting;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>Creates or upgrades every registered module's schema before anything else starts.</summary>
internal sealed class MigrationRunner(Database database, IEnumerable<SchemaMigrations> modules) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var module in modules)
        {
            await database.MigrateAsync(module, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
