using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>Healthy when the store answers a query.</summary>
internal sealed class StoreHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken)), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("the store does not answer", e);
        }
    }
}
