using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Webhooks;

namespace Proactive.Notifier.Receipts;

/// <summary>POST /v1/webhooks/sendgrid/events: SendGrid's signed Event Webhook. (Being built.)</summary>
public sealed class SendGridEvents(WebhookGate gate, IOptions<WebhookOptions> options)
{
    private static readonly WebhookCall Call = new("sendgrid", "events");

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (_, refusal) = await gate.ReadAsync(http, Call, options.Value.SendGridEnabled, "application/json");
        return refusal ?? Results.StatusCode(StatusCodes.Status501NotImplemented);
    }
}
