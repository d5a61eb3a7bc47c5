using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Proactive.Notifier.Channels.Sms;

/// <summary>
/// SMS through Twilio's official SDK (<see cref="MessageResource.CreateAsync(CreateMessageOptions, ITwilioRestClient)"/>)
/// over our IHttpClientFactory client (<see cref="FactoryTwilioHttpClient"/>). Each SMS asks Twilio
/// to report on it at its status callback when Proactive:Webhooks:PublicBaseUrl is set.
/// </summary>
public sealed class TwilioSmsSender(HttpClient http, IOptions<TwilioOptions> options, IOptions<WebhookOptions> webhooks, TimeProvider time) : INoticeSender
{
    /// <summary>Error codes worth retrying: REST concurrency limit, and the sender's queue is full.</summary>
    private static readonly HashSet<int> TransientCodes = [20429, 21611];

    /// <summary>
    /// The number cannot get this SMS, ever: 21211 invalid 'To', 21614 not a mobile number, 21612
    /// not routable from this sender, 21408 the region is not enabled for this account.
    /// </summary>
    private static readonly HashSet<int> UnreachableCodes = [21211, 21614, 21612, 21408];

    /// <summary>The recipient replied STOP to this sender.</summary>
    private const int Unsubscribed = 21610;

    public Channel Channel => Channel.Sms;

    public string Provider => "twilio";

    public double MessagesPerSecond => options.Value.MessagesPerSecond;

    public async Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var twilioHttp = new FactoryTwilioHttpClient(http, o.BaseUrl, cancellationToken);
        // A client per send (never the SDK's static one): its HTTP seam carries this send's token and last response.
        var client = new TwilioRestClient(o.AccountSid!, o.AuthToken!, httpClient: twilioHttp);
        try
        {
            var message = await MessageResource.CreateAsync(MessageFor(notice, o, webhooks.Value), client);
            return SendResult.Sent(message.Sid ?? "");
        }
        catch (ApiConnectionException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (ApiConnectionException e)
        {
            return SendResult.Transient(null, e.InnerException switch
            {
                HttpRequestException unreachable => $"twilio unreachable: {unreachable.HttpRequestError}",
                TaskCanceledException => "twilio timed out",
                _ => $"twilio connection error: {e.InnerException?.GetType().Name}",
            });
        }
        catch (Exception e) when (e is ApiException or ApiStandardException && twilioHttp.LastResponse is { } response)
        {
            var code = e switch
            {
                ApiException { Code: not 0 } api => api.Code,
                ApiStandardException { Code: not 0 } standard => standard.Code,
                _ => (int?)null,
            };
            return Classify(response.StatusCode, code, e.Message, RetryAfter.From(response.Headers, time.GetUtcNow()));
        }
    }

    /// <summary>The Create Message request: To and Body, From or the Messaging Service, and where to report on it.</summary>
    internal static CreateMessageOptions MessageFor(OutgoingNotice notice, TwilioOptions o, WebhookOptions webhooks)
    {
        var message = new CreateMessageOptions(new PhoneNumber(notice.Recipient)) { Body = notice.Text };
        if (string.IsNullOrWhiteSpace(o.MessagingServiceSid))
        {
            message.From = new PhoneNumber(o.From);
        }
        else
        {
            message.MessagingServiceSid = o.MessagingServiceSid;
        }

        message.StatusCallback = webhooks.StatusCallbackFor(notice.NoticeId);
        return message;
    }

    /// <summary>
    /// Twilio's refusal by HTTP status (a 5xx Twilio did not explain in JSON has no code) and error
    /// code; its message redacted, as it can quote the number.
    /// </summary>
    internal static SendResult Classify(HttpStatusCode status, int? code, string message, TimeSpan? retryAfter)
    {
        var providerCode = (code ?? (int)status).ToString(CultureInfo.InvariantCulture);
        var detail = $"twilio {(int)status} {providerCode}: {Redact.Text(message)}";
        var transient = (int)status >= 500 || status == HttpStatusCode.TooManyRequests || (code is { } c && TransientCodes.Contains(c));
        return transient
            ? SendResult.Transient(providerCode, detail, retryAfter)
            : SendResult.Permanent(
                providerCode,
                detail,
                code switch
                {
                    Unsubscribed => RecipientProblem.OptedOut,
                    { } known when UnreachableCodes.Contains(known) => RecipientProblem.Unreachable,
                    _ => RecipientProblem.None,
                });
    }
}
