using System.Text.Json;
using Microsoft.Extensions.Options;
using Proactive.Tracker;
using Proactive.Tracker.Events;

namespace Proactive.Standalone.Ingest;

/// <summary>
/// POST /v1/events/{topic}: the standalone ingest. One CloudEvent (application/cloudevents+json)
/// or a batch (application/cloudevents-batch+json). 202 once stored; a duplicate is 202 too and
/// changes nothing; a refused event is 400 with the fields at fault. In a batch every entry is
/// judged on its own: all accepted 202, some refused 207, all refused 400 — the body says which.
/// </summary>
public static partial class EventIngestEndpoints
{
    public const string SingleContentType = "application/cloudevents+json";
    public const string BatchContentType = "application/cloudevents-batch+json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapEventIngest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/events/{topic}", IngestAsync);
        return endpoints;
    }

    private static async Task<IResult> IngestAsync(
        string topic,
        HttpRequest request,
        OrderTracker tracker,
        IOptions<IngestOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("Proactive.Standalone.Ingest");
        if (!EventTypes.Topics.Contains(topic))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown topic",
                detail: $"Topic '{topic}' does not exist; events are posted to {string.Join(" or ", EventTypes.Topics.Select(t => $"/v1/events/{t}"))}.");
        }

        var mediaType = request.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType is not (SingleContentType or BatchContentType))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: $"Content-Type must be {SingleContentType} (one event) or {BatchContentType} (a JSON array of events).");
        }

        var body = await ReadLimitedAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large",
                detail: $"The body is larger than {options.Value.MaxBodyBytes} bytes (Proactive:Ingest:MaxBodyBytes); send smaller batches.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = [$"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"] },
                title: "The request was refused");
        }

        using (document)
        {
            if (mediaType == SingleContentType)
            {
                var result = await IngestOneAsync(document.RootElement, topic, tracker, logger, cancellationToken);
                return result.Status == "refused"
                    ? Results.ValidationProblem(
                        result.Errors!.ToDictionary(),
                        title: "The event was refused",
                        detail: result.Summary,
                        extensions: new Dictionary<string, object?> { ["source"] = result.Source, ["id"] = result.Id })
                    : Results.Json(result, Json, statusCode: StatusCodes.Status202Accepted);
            }

            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["body"] = ["must be a non-empty JSON array of CloudEvents"] },
                    title: "The batch was refused");
            }

            var results = new List<EntryResult>();
            var index = 0;
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                results.Add((await IngestOneAsync(entry, topic, tracker, logger, cancellationToken)) with { Index = index++ });
            }

            var refused = results.Count(r => r.Status == "refused");
            var summary = new BatchResult(results.Count(r => r.Status == "accepted"), results.Count(r => r.Status == "duplicate"), refused, results);
            var status = refused == 0 ? StatusCodes.Status202Accepted
                : refused == results.Count ? StatusCodes.Status400BadRequest
                : StatusCodes.Status207MultiStatus;
            return Results.Json(summary, Json, statusCode: status);
        }
    }

    private static async Task<EntryResult> IngestOneAsync(
        JsonElement element, string topic, OrderTracker tracker, ILogger logger, CancellationToken cancellationToken)
    {
        var read = CloudEventReader.Read(element, topic);
        if (read.Rejection is { } rejection)
        {
            tracker.Metrics.Refused(element);
            LogRefused(logger, rejection.Source ?? "?", rejection.Id ?? "?", rejection.Summary);
            return new EntryResult(0, rejection.Source, rejection.Id, "refused", rejection.Errors, rejection.Summary);
        }

        var e = read.Event!;
        var outcome = await tracker.HandleAsync(e, cancellationToken);
        return new EntryResult(0, e.Source, e.Id, outcome == IngestOutcome.Duplicate ? "duplicate" : "accepted", null, null);
    }

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused event {Source}/{EventId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string source, string eventId, string reason);

    private sealed record EntryResult(
        int Index,
        string? Source,
        string? Id,
        string Status,
        IReadOnlyDictionary<string, string[]>? Errors,
        string? Summary);

    private sealed record BatchResult(int Accepted, int Duplicates, int Refused, IReadOnlyList<EntryResult> Results);
}
