using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Proactive.Notifier.Survey;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Tests;

/// <summary>The survey link's token answers for the customer: a request span records the route, not the token.</summary>
public class SurveyTraceTests
{
    [Fact]
    public void ASurveyRequestIsTracedByItsRouteNotItsToken()
    {
        using var span = new Activity("GET").SetTag("url.path", "/v1/survey/SECRET-TOKEN");

        ProactiveTelemetry.HideCapabilities(span, Responding(SurveyLanding.Route));

        span.GetTagItem("url.path").ShouldBe("/v1/survey/{token}");
    }

    [Fact]
    public void OtherRequestsKeepTheirPath()
    {
        using var span = new Activity("GET").SetTag("url.path", "/v1/orders/A-1001/notices");

        ProactiveTelemetry.HideCapabilities(span, Responding("/v1/orders/{order_id}/notices"));

        span.GetTagItem("url.path").ShouldBe("/v1/orders/A-1001/notices");
    }

    private static HttpResponse Responding(string route)
    {
        var http = new DefaultHttpContext();
        http.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(route), 0, EndpointMetadataCollection.Empty, route));
        return http.Response;
    }
}
