using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Replies;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Webhooks;

/// <summary>The providers' webhooks: Twilio's status callbacks and inbound messages, SendGrid's Event Webhook.</summary>
public static class WebhookEndpoints
{
    public const string TwilioStatus = "/v1/webhooks/twilio/status";
    public const string TwilioInbound = "/v1/webhooks/twilio/inbound";
    public const string SendGridEvents = "/v1/webhooks/sendgrid/events";

    /// <summary>Open to anyone: each request proves itself by the provider's signature.</summary>
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(TwilioStatus, (HttpContext http, TwilioStatusCallbacks callbacks) => UnlessStoreDownAsync(http, () => callbacks.HandleAsync(http))).AllowAnonymous();
        endpoints.MapPost(TwilioInbound, (HttpContext http, TwilioInboundMessages messages) => UnlessStoreDownAsync(http, () => messages.HandleAsync(http))).AllowAnonymous();
        endpoints.MapPost(SendGridEvents, (HttpContext http, SendGridEvents events) => UnlessStoreDownAsync(http, () => events.HandleAsync(http))).AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// The store being unavailable is 503 with Retry-After, not 500: both providers retry a 5xx,
    /// and nothing of the request was kept, so their retry is the way it gets applied.
    /// </summary>
    internal static async Task<IResult> UnlessStoreDownAsync(HttpContext http, Func<Task<IResult>> handle)
    {
        try
        {
            return await handle();
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested && Database.IsUnavailableWithin(e))
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoints))
                .LogWarning(e, "Webhook {Path} answered 503: the store is unavailable", http.Request.Path.Value);
            http.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The store is unavailable; retry later");
        }
    }
}
