using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier.Grpc;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.Notifier.Voice;

public static class VoiceExtensions
{
    /// <summary>The voice part of Notifier's services (options, stores, background work).</summary>
    public static IServiceCollection AddVoice(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<VoiceMetrics>();
        services.AddSingleton<VoiceRecorder>();
        return services;
    }

    /// <summary>The voice part of Notifier's HTTP API, served by both hostings.</summary>
    public static IEndpointRouteBuilder MapVoice(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<VoiceService>().RequireAuthorization(Scopes.VoiceRead);
        endpoints.MapGet(VoiceCsvEndpoint.Path, VoiceCsvEndpoint.HandleAsync).RequireAuthorization(Scopes.VoiceRead);
        return endpoints;
    }
}
