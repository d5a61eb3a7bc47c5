using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Proactive.Notifier.Survey;

public static class SurveyExtensions
{
    /// <summary>The survey part of Notifier's services (options, stores, background work).</summary>
    public static IServiceCollection AddSurvey(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SurveyDecider>();
        services.AddSingleton<SurveyReplies>();
        return services;
    }

    /// <summary>The survey part of Notifier's HTTP API, served by both hostings.</summary>
    public static IEndpointRouteBuilder MapSurvey(this IEndpointRouteBuilder endpoints) => endpoints;
}
