using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels.Sms;
using Proactive.Notifier.Webhooks;

namespace Proactive.Standalone.Demo;

/// <summary>
/// The demo playing Twilio's part once: Twilio reports on each SMS at the StatusCallback URL the
/// SMS carried; the demo's SMS went to the local outbox (or to a Twilio that cannot reach this
/// machine), so the demo posts the "delivered" report itself, signed as Twilio signs it (HMAC-SHA1
/// of the URL and the sorted form, keyed by the webhook secret), and shows the notice with its receipt.
/// </summary>
public static class DemoDeliveryReceipt
{
    /// <summary>The secret the demo's own "Twilio" signs with when no Twilio Auth Token is configured.</summary>
    public const string DemoWebhookSecret = "demo-twilio-webhook-secret";

    /// <summary>
    /// Webhook settings for the demo, unless configured: its public address is its own HTTP address
    /// (<paramref name="urls"/>, the first one), and a demo secret signs Twilio's callbacks.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> Defaults(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"{WebhookOptions.Section}:PublicBaseUrl"]))
        {
            var first = (configuration["urls"] is { Length: > 0 } urls ? urls : Extensions.DefaultUrl).Split(';')[0];
            var own = new Uri(first.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal));
            yield return new($"{WebhookOptions.Section}:PublicBaseUrl", $"{own.Scheme}://localhost:{own.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        if (string.IsNullOrWhiteSpace(configuration[$"{WebhookOptions.Section}:Twilio:AuthToken"]) && string.IsNullOrWhiteSpace(configuration[$"{TwilioOptions.Section}:AuthToken"]))
        {
            yield return new($"{WebhookOptions.Section}:Twilio:AuthToken", DemoWebhookSecret);
        }
    }

    /// <summary>
    /// Posts Twilio's "delivered" for the English customer's SMS to this service over
    /// <paramref name="http"/> (based at its own address) and writes what happened to
    /// <paramref name="output"/>. False when there was nothing to report on or it was not taken.
    /// </summary>
    public static async Task<bool> ShowAsync(HttpClient http, IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var webhooks = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var twilio = services.GetRequiredService<IOptions<TwilioOptions>>().Value;
        if (!webhooks.TwilioEnabled(twilio))
        {
            await output.WriteLineAsync("(No delivery receipt shown: Proactive:Webhooks:PublicBaseUrl is not set.)");
            return false;
        }

        var order = DemoScenario.EnglishOrder;
        if (await SmsNoticeAsync(http, order, cancellationToken) is not { } sms
            || sms.GetProperty("providerMessageId").GetString() is not { Length: > 0 } messageSid)
        {
            await output.WriteLineAsync($"(No delivery receipt shown: the SMS of {order} was not sent.)");
            return false;
        }

        var noticeId = sms.GetProperty("noticeId").GetString()!;
        var publicUrl = webhooks.StatusCallbackFor(noticeId)!.OriginalString;
        List<KeyValuePair<string, string>> form =
        [
            new("MessageSid", messageSid),
            new("SmsSid", messageSid),
            new("MessageStatus", "delivered"),
            new("SmsStatus", "delivered"),
            new("AccountSid", twilio.AccountSid is { Length: > 0 } account ? account : "AC" + new string('0', 32)),
            new("ApiVersion", "2010-04-01"),
        ];
        using var request = new HttpRequestMessage(HttpMethod.Post, publicUrl[webhooks.PublicBaseUrl!.TrimEnd('/').Length..])
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Add(TwilioWebhook.SignatureHeader, Sign(publicUrl, form, webhooks.TwilioSecret(twilio)!));

        await output.WriteLineAsync(
            $"""

            Now the demo stands in for Twilio (no real Twilio can call this machine): it posts the signed
            "delivered" status callback Twilio would send for the SMS of {order}.
            """);
        using var response = await http.SendAsync(request, cancellationToken);
        await output.WriteLineAsync($"  POST {publicUrl}  MessageStatus=delivered -> {(int)response.StatusCode}");
        if (await SmsNoticeAsync(http, order, cancellationToken) is not { } after)
        {
            return false;
        }

        await output.WriteLineAsync($"  Notice {noticeId}: {after.GetProperty("status").GetString()}");
        foreach (var receipt in after.GetProperty("receipts").EnumerateArray())
        {
            await output.WriteLineAsync(
                $"    receipt from {receipt.GetProperty("provider").GetString()}: {receipt.GetProperty("status").GetString()}, received {receipt.GetProperty("receivedAt").GetString()}");
        }

        return response.IsSuccessStatusCode && after.GetProperty("status").GetString() == "delivered";
    }

    private static async Task<JsonElement?> SmsNoticeAsync(HttpClient http, string order, CancellationToken cancellationToken)
    {
        var notices = await http.GetFromJsonAsync<JsonElement>($"/v1/orders/{order}/notices", cancellationToken);
        return notices.GetProperty("notices").EnumerateArray().Where(n => n.GetProperty("channel").GetString() == "SMS").Select(n => (JsonElement?)n).FirstOrDefault();
    }

    /// <summary>X-Twilio-Signature: Base64(HMAC-SHA1(secret, URL + each parameter's name and value, names in ordinal order)).</summary>
    internal static string Sign(string url, IEnumerable<KeyValuePair<string, string>> form, string secret)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(data.ToString())));
    }
}
