using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Proactive.Notifier.Webhooks;

/// <summary>
/// What every provider webhook does before its own work, in this order: not configured → 404,
/// a body over <see cref="WebhookOptions.MaxBodyBytes"/> → 413, another media type → 415; then the
/// endpoint verifies the signature (→ 403) and parses (→ 400). Each refusal is counted and logged
/// with its reason, never with the body.
/// </summary>
public sealed partial class WebhookGate(IOptions<WebhookOptions> options, NotifierMetrics metrics, ILogger<WebhookGate> logger)
{
    /// <summary>
    /// The raw body as the provider signed it, or the refusal to answer with: 404 when
    /// <paramref name="configured"/> is false, 415 for another media type, 413 when too big.
    /// </summary>
    public async Task<(byte[]? Body, IResult? Refusal)> ReadAsync(HttpContext http, WebhookCall call, bool configured, string mediaType)
    {
        if (!configured)
        {
            metrics.WebhookRequest(call.Provider, call.Endpoint, "not_configured");
            return (null, Results.NotFound());
        }

        var request = http.Request;
        var limit = options.Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(call, limit));
        }

        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), mediaType, StringComparison.OrdinalIgnoreCase))
        {
            metrics.WebhookRequest(call.Provider, call.Endpoint, "unsupported_media_type");
            LogRefused(call.Provider, call.Endpoint, $"media type is not {mediaType}");
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: $"The body must be {mediaType}."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, TooLarge(call, limit));
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    /// <summary>403: the request is not the provider's. Logged with <paramref name="reason"/> only.</summary>
    public IResult Refuse(WebhookCall call, string reason)
    {
        metrics.WebhookRequest(call.Provider, call.Endpoint, "refused");
        LogRefused(call.Provider, call.Endpoint, reason);
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The request's signature does not verify.");
    }

    /// <summary>400 naming what is wrong (a field name, never its value).</summary>
    public IResult Malformed(WebhookCall call, string problem)
    {
        metrics.WebhookRequest(call.Provider, call.Endpoint, "malformed");
        LogMalformed(call.Provider, call.Endpoint, problem);
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook request.", detail: problem);
    }

    /// <summary>Counts a verified request by what became of it (accepted, duplicate...).</summary>
    public void Handled(WebhookCall call, string outcome) => metrics.WebhookRequest(call.Provider, call.Endpoint, outcome);

    private IResult TooLarge(WebhookCall call, long limit)
    {
        metrics.WebhookRequest(call.Provider, call.Endpoint, "too_large");
        LogRefused(call.Provider, call.Endpoint, $"body over {limit} bytes");
        return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"The body is over {limit} bytes (Proactive:Webhooks:MaxBodyBytes).");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a {Provider} {Endpoint} webhook request: {Reason}")]
    private partial void LogRefused(string provider, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed {Provider} {Endpoint} webhook request: {Problem}")]
    private partial void LogMalformed(string provider, string endpoint, string problem);
}

/// <summary>Which webhook a request came to, for metrics and logs ("twilio", "status").</summary>
public readonly record struct WebhookCall(string Provider, string Endpoint);
