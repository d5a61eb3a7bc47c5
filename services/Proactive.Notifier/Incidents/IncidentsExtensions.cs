using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Proactive.Notifier.Grpc;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Incidents;

public static class IncidentsExtensions
{
    /// <summary>The incidents part of Notifier's services (options, stores, background work).</summary>
    public static IServiceCollection AddIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<IncidentOptions>(configuration.GetSection(IncidentOptions.Section));
        services.AddSingleton<IncidentSweepSignal>();
        services.AddSingleton<IncidentAlertSignal>();
        services.AddSingleton<IncidentMetrics>();
        services.AddSingleton<IncidentSignals>();
        services.AddSingleton<IncidentSweep>();
        services.AddSingleton<IncidentAlerter>();

        // The webhook URL is the credential: no HttpClient logging (it writes the URL).
        services.AddHttpClient<ChatWebhookSender>(c => c.Timeout = ChatWebhookSender.Timeout).RemoveAllLoggers();
        services.AddHostedService(sp => sp.GetRequiredService<IncidentSweep>());
        services.AddHostedService(sp => sp.GetRequiredService<IncidentAlerter>());
        return services;
    }

    /// <summary>The incidents part of Notifier's HTTP API, served by both hostings.</summary>
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<IncidentService>().RequireAuthorization(Scopes.OrdersRead);
        return endpoints;
    }
}
