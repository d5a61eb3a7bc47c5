using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapr.AppCallback.Autogen.Grpc.v1;

namespace Proactive.LoadTool;

/// <summary>The standalone ingest, POST /v1/events/{topic}: one CloudEvent per call, or a batch.</summary>
internal static class HttpIngest
{
    public const string Single = "application/cloudevents+json";
    public const string BatchType = "application/cloudevents-batch+json";

    /// <summary>
    /// One call: a single event (<paramref name="batch"/> 0, acked when answered 202) or
    /// <paramref name="batch"/> events in one batch (acked = the answer's "accepted" count).
    /// Returns (acked, sent).
    /// </summary>
    public static async Task<(long Acked, long Sent)> PostAsync(HttpClient http, Uri url, int batch, Func<TopicEventRequest> next)
    {
        if (batch <= 0)
        {
            var status = await PostAsync(http, url, Single, LoadEvents.Structured(next()));
            return (status.Code == HttpStatusCode.Accepted ? 1 : 0, 1);
        }

        var body = LoadEvents.Batch(Enumerable.Range(0, batch).Select(_ => LoadEvents.Structured(next())));
        var answer = await PostAsync(http, url, BatchType, body);
        return (Accepted(answer.Body), batch);
    }

    public static async Task<(HttpStatusCode Code, string Body)> PostAsync(HttpClient http, Uri url, string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync(url, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The "accepted" count of a BatchResult; 0 when the answer is not one (a whole-request refusal).</summary>
    public static long Accepted(string batchResult)
    {
        try
        {
            using var json = JsonDocument.Parse(batchResult);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("accepted", out var accepted) && accepted.TryGetInt64(out var n) ? n : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }
}
