using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Survey;

public static class SurveyExtensions
{
    /// <summary>The survey part of Notifier's services (options, stores, background work).</summary>
    public static IServiceCollection AddSurvey(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<SurveyOptions>(configuration.GetSection(SurveyOptions.Section));
        services.AddSingleton<SurveyTokens>();
        services.AddSingleton<SurveyMetrics>();
        services.AddSingleton<SurveyDecider>();
        services.AddSingleton<SurveyReplies>();
        services.AddSingleton<SurveyLanding>();
        return services;
    }

    /// <summary>
    /// The survey part of Notifier's HTTP API, served by both hostings: the email's answer links and
    /// their comment form. Open to the customer's browser: the signed, expiring token is the credential.
    /// </summary>
    public static IEndpointRouteBuilder MapSurvey(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(SurveyLanding.Route, [HttpMethods.Get, HttpMethods.Head], (HttpContext http, string token, SurveyLanding landing) =>
            WebhookEndpoints.UnlessStoreDownAsync(http, () => landing.GetAsync(http, token))).AllowAnonymous();
        endpoints.MapPost(SurveyLanding.Route, (HttpContext http, string token, SurveyLanding landing) =>
            WebhookEndpoints.UnlessStoreDownAsync(http, () => landing.PostAsync(http, token))).AllowAnonymous();
        return endpoints;
    }
}
