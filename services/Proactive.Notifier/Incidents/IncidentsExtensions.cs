using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Proactive.Notifier.Incidents;

public static class IncidentsExtensions
{
    /// <summary>The incidents part of Notifier's services (options, stores, background work).</summary>
    public static IServiceCollection AddIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IncidentSignals>();
        return services;
    }

    /// <summary>The incidents part of Notifier's HTTP API, served by both hostings.</summary>
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder endpoints) => endpoints;
}
