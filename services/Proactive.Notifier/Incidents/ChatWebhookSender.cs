using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// Posts an alert to the chat incoming webhook as <c>{"text": "..."}</c>, the one field Slack,
/// Google Chat and Mattermost all read (Google Chat refuses unknown fields). The URL is a secret
/// (it is the credential): never logged, and the request is not traced (a span would record it).
/// </summary>
public sealed class ChatWebhookSender(HttpClient http, IOptions<IncidentOptions> options)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Sent; or why not, and whether trying again may help (5xx, 429, 408, timeout, connection failure).</summary>
    public async Task<(bool Sent, bool Transient, string? Error)> SendAsync(string text, CancellationToken cancellationToken)
    {
        if (options.Value.WebhookUrl is not { Length: > 0 } url)
        {
            return (false, false, "Proactive:Incidents:WebhookUrl is not set");
        }

        using var suppressed = SuppressInstrumentationScope.Begin();
        try
        {
            using var response = await http.PostAsJsonAsync(url, new { text }, cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? (true, false, null)
                : (false, status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout, $"HTTP {status}");
        }
        catch (HttpRequestException e)
        {
            // The message may hold the host; not the path, where the secret is. Say only what kind.
            return (false, true, $"connection failed ({e.HttpRequestError})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, true, "timeout");
        }
    }
}
