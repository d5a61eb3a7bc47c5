using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Replies;

namespace Proactive.Notifier.Webhooks;

/// <summary>The providers' webhooks: Twilio's status callbacks and inbound messages, SendGrid's Event Webhook.</summary>
public static class WebhookEndpoints
{
    public const string TwilioStatus = "/v1/webhooks/twilio/status";
    public const string TwilioInbound = "/v1/webhooks/twilio/inbound";
    public const string SendGridEvents = "/v1/webhooks/sendgrid/events";

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(TwilioStatus, (HttpContext http, TwilioStatusCallbacks callbacks) => callbacks.HandleAsync(http));
        endpoints.MapPost(TwilioInbound, (HttpContext http, TwilioInboundMessages messages) => messages.HandleAsync(http));
        endpoints.MapPost(SendGridEvents, (HttpContext http, SendGridEvents events) => events.HandleAsync(http));
        return endpoints;
    }
}
