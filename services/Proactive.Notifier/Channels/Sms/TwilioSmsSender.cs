using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Channels.Sms;

/// <summary>
/// SMS through Twilio's Messages API: one form POST to
/// /2010-04-01/Accounts/{AccountSid}/Messages.json with basic auth. (The Twilio NuGet package is
/// not available to us; this is the whole of what it would do for us here.)
/// </summary>
public sealed class TwilioSmsSender(HttpClient http, IOptions<TwilioOptions> options, TimeProvider time) : INoticeSender
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
        var form = new List<KeyValuePair<string, string>> { new("To", notice.Recipient), new("Body", notice.Text) };
        form.Add(string.IsNullOrWhiteSpace(o.MessagingServiceSid) ? new("From", o.From!) : new("MessagingServiceSid", o.MessagingServiceSid));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{o.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(o.AccountSid!)}/Messages.json")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.AccountSid}:{o.AuthToken}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return SendResult.Transient(null, $"twilio unreachable: {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendResult.Transient(null, "twilio timed out");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return SendResult.Sent(ReadString(body, "sid") ?? "");
            }

            var code = ReadInt(body, "code");
            var message = ReadString(body, "message") ?? response.ReasonPhrase ?? "";
            var providerCode = code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var detail = $"twilio {(int)response.StatusCode} {providerCode}: {Redact.Text(message)}";
            var transient = (int)response.StatusCode >= 500
                || response.StatusCode == HttpStatusCode.TooManyRequests
                || (code is { } c && TransientCodes.Contains(c));
            return transient
                ? SendResult.Transient(providerCode, detail, RetryAfter.From(response.Headers, time.GetUtcNow()))
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

    private static string? ReadString(string json, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? ReadInt(string json, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
