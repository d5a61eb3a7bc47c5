using Microsoft.AspNetCore.Http;
using Proactive.Notifier.Webhooks;

namespace Proactive.Notifier.Receipts;

/// <summary>POST /v1/webhooks/twilio/status: Twilio's status callbacks for the SMS we sent. (Being built.)</summary>
public sealed class TwilioStatusCallbacks(TwilioWebhook webhook)
{
    private static readonly WebhookCall Call = new("twilio", "status");

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (_, refusal) = await webhook.ReadAsync(http, Call);
        return refusal ?? Results.StatusCode(StatusCodes.Status501NotImplemented);
    }
}
