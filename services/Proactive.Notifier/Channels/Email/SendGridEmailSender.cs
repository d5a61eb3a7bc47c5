using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Proactive.Notifier.Channels.Email;

/// <summary>
/// Email through SendGrid's v3 mail/send with the SendGrid package. The HttpClient is ours (so
/// the SDK's own retry handler is not installed): retries are the dispatcher's, durable and
/// visible in the notices API.
/// </summary>
public sealed class SendGridEmailSender(HttpClient http, IOptions<SendGridOptions> options, TimeProvider time) : INoticeSender
{
    public Channel Channel => Channel.Email;

    public string Provider => "sendgrid";

    public double MessagesPerSecond => options.Value.MessagesPerSecond;

    public async Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var client = new SendGridClient(http, new SendGridClientOptions { ApiKey = o.ApiKey, Host = o.Host });
        // A global subject (not per personalization) satisfies the strictest reading of the API.
        var message = new SendGridMessage
        {
            From = new EmailAddress(o.From, o.FromName),
            Subject = notice.Subject,
            PlainTextContent = notice.Text,
            HtmlContent = notice.Html,
        };
        message.AddTo(new EmailAddress(notice.Recipient, notice.RecipientName));
        message.AddCustomArg("notice_id", notice.NoticeId);
        message.AddCustomArg("order_id", notice.OrderId);

        Response response;
        try
        {
            response = await client.SendEmailAsync(message, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return SendResult.Transient(null, $"sendgrid unreachable: {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendResult.Transient(null, "sendgrid timed out");
        }

        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            var id = response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null;
            return SendResult.Sent(id ?? "");
        }

        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = $"sendgrid {status}: {await FirstError(response, cancellationToken)}";
        if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return SendResult.Transient(code, detail, RetryAfter.From(response.Headers, time.GetUtcNow()));
        }

        return SendResult.Permanent(code, detail);
    }

    /// <summary>The first entry of SendGrid's {"errors":[{"message","field"}]}; never the addresses.</summary>
    private static async Task<string> FirstError(Response response, CancellationToken ct)
    {
        try
        {
            var body = await response.Body.ReadAsStringAsync(ct);
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var field = first.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? $" ({f.GetString()})" : "";
                var text = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                return Redact.Text($"{text}{field}");
            }
        }
        catch (JsonException)
        {
        }

        return response.StatusCode.ToString();
    }
}
