using Microsoft.AspNetCore.Http;
using Proactive.Notifier.Webhooks;

namespace Proactive.Notifier.Replies;

/// <summary>POST /v1/webhooks/twilio/inbound: messages customers send to our numbers. (Being built.)</summary>
public sealed class TwilioInboundMessages(TwilioWebhook webhook)
{
    private static readonly WebhookCall Call = new("twilio", "inbound");

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (_, refusal) = await webhook.ReadAsync(http, Call);
        return refusal ?? Results.StatusCode(StatusCodes.Status501NotImplemented);
    }
}
