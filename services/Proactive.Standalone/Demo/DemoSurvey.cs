using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Proactive.Contracts;
using Proactive.Notifier.Channels.Sms;
using Proactive.Notifier.Store;
using Proactive.Notifier.Webhooks;

namespace Proactive.Standalone.Demo;

/// <summary>
/// The demo's survey after delivery: the Korean order is delivered, Proactive asks "how did we
/// do?" by SMS (to the local outbox), and the demo plays the customer, posting their answer to its
/// own Twilio inbound webhook signed as Twilio signs it; then it shows the score stored.
/// </summary>
public static class DemoSurvey
{
    public const string Answer = "4 늦었지만 미리 알려줘서 고마워요";

    /// <summary>The Korean customer's number in the scenario (the notices API shows it masked).</summary>
    public const string KoreanPhone = "+821012345678";

    /// <summary>Posts the carrier's "delivered" scan of the Korean order.</summary>
    public static async Task DeliverAsync(HttpClient http, DateTimeOffset now, TextWriter output, CancellationToken cancellationToken)
    {
        var delivered = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "demo-delivered-1",
            ["source"] = "demo-shop",
            ["type"] = CloudEventTypes.ShipmentTracking,
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject
            {
                ["shipmentId"] = "S-9001",
                ["orderId"] = DemoScenario.KoreanOrder,
                ["occurredAt"] = now.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
                ["status"] = "DELIVERED",
                ["location"] = "Seoul",
            },
        };
        using var content = new StringContent(delivered.ToJsonString(), Encoding.UTF8, "application/cloudevents+json");
        using var response = await http.PostAsync($"/v1/events/{Topics.Shipments}", content, cancellationToken);
        await output.WriteLineAsync(
            $"""

            The Korean order arrives: POST /v1/events/{Topics.Shipments}  {CloudEventTypes.ShipmentTracking} DELIVERED ({DemoScenario.KoreanOrder}) -> {(int)response.StatusCode}
            """);
    }

    /// <summary>The order's survey notice, once sent; null until then.</summary>
    public static async Task<JsonElement?> SentSurveyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var notices = await http.GetFromJsonAsync<JsonElement>($"/v1/orders/{DemoScenario.KoreanOrder}/notices", cancellationToken);
        return notices.GetProperty("notices").EnumerateArray()
            .Where(n => n.GetProperty("kind").GetString() == "SURVEY" && n.GetProperty("status").GetString() == "sent")
            .Select(n => (JsonElement?)n)
            .FirstOrDefault();
    }

    /// <summary>
    /// Shows the survey SMS, answers it as the customer would (a signed inbound SMS to this
    /// service's own webhook) and shows the score stored. False when there was no survey to answer
    /// or the answer was not taken.
    /// </summary>
    public static async Task<bool> AnswerAsync(HttpClient http, IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var webhooks = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var twilio = services.GetRequiredService<IOptions<TwilioOptions>>().Value;
        if (!webhooks.TwilioEnabled(twilio) || await SentSurveyAsync(http, cancellationToken) is not { } survey)
        {
            await output.WriteLineAsync("(No survey shown: it was not sent; see GET /v1/orders/" + DemoScenario.KoreanOrder + "/notices for why.)");
            return false;
        }

        await output.WriteLineAsync($"  Survey SMS to {survey.GetProperty("recipient").GetString()}: {survey.GetProperty("text").GetString()}");
        var publicUrl = webhooks.PublicUrl(WebhookEndpoints.TwilioInbound);
        var sid = "SM" + new string('d', 32);
        List<KeyValuePair<string, string>> form =
        [
            new("MessageSid", sid),
            new("SmsSid", sid),
            new("SmsMessageSid", sid),
            new("AccountSid", twilio.AccountSid is { Length: > 0 } account ? account : "AC" + new string('0', 32)),
            new("From", KoreanPhone),
            new("To", twilio.From is { Length: > 0 } from ? from : "+15005550006"),
            new("Body", Answer),
            new("NumMedia", "0"),
            new("ApiVersion", "2010-04-01"),
        ];
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookEndpoints.TwilioInbound) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(TwilioWebhook.SignatureHeader, DemoDeliveryReceipt.Sign(publicUrl, form, webhooks.TwilioSecret(twilio)!));
        await output.WriteLineAsync(
            $"""

            Now the demo stands in for the customer, who texts back (signed as Twilio would post it):
            """);
        using var response = await http.SendAsync(request, cancellationToken);
        await output.WriteLineAsync($"  POST {publicUrl}  Body=\"{Answer}\" -> {(int)response.StatusCode}");

        var stored = await services.GetRequiredService<NoticeStore>().ReadAsync(r => r.Surveys.FindAsync(DemoScenario.KoreanOrder), cancellationToken);
        if (stored?.Score is not { } score)
        {
            await output.WriteLineAsync("  (The answer was not stored as a score.)");
            return false;
        }

        await output.WriteLineAsync(
            $"  Survey of {DemoScenario.KoreanOrder}: score {score.ToString(CultureInfo.InvariantCulture)}/5, answered {stored.ScoredAt:yyyy-MM-dd HH:mm:ss}Z by SMS, CSAT cohort {stored.Cohort}");
        using var summary = await http.GetAsync("/v1/voice/summary", cancellationToken);
        if (summary.IsSuccessStatusCode
            && (await summary.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).TryGetProperty("recentQuotes", out var quotes)
            && quotes.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } quote)
        {
            var topics = quote.TryGetProperty("topics", out var list) ? string.Join(", ", list.EnumerateArray().Select(t => t.GetString())) : "";
            await output.WriteLineAsync(
                $"  Their words, classified: \"{quote.GetProperty("text").GetString()}\" -> topics {topics}; {quote.GetProperty("sentiment").GetString()} ({quote.GetProperty("language").GetString()}); see GET /v1/voice/summary");
        }

        return response.IsSuccessStatusCode;
    }
}
