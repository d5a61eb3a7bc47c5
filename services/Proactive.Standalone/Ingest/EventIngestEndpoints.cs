using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.CloudEvents;
using Proactive.Tracker;
using Proactive.Tracker.Events;
using Proactive.Tracker.Intake;

namespace Proactive.Standalone.Ingest;

/// <summary>
/// POST /v1/events/{topic}: the standalone ingest. One CloudEvent (application/cloudevents+json)
/// or a batch (application/cloudevents-batch+json). 202 once stored; a duplicate is 202 too and
/// changes nothing; a refused event is 400 with the fields at fault; a source over its rate is 429
/// with Retry-After; an event the store could not take is 503. A single event or a batch shares a
/// commit with the others arriving at the same time (<see cref="IntakeBatcher"/>; a batch is never
/// split between commits). In a batch every entry is judged and admitted on its own, the admitted ones are stored together, and the
/// answer says exactly which were stored: all stored 202, all refused 400, all throttled 429, all
/// failed 503, any mix 207. Every answer is given after the commit.
/// </summary>
public static partial class EventIngestEndpoints
{
    public const string SingleContentType = "application/cloudevents+json";
    public const string BatchContentType = "application/cloudevents-batch+json";

    private const string Accepted = "accepted";
    private const string Duplicate = "duplicate";
    private const string Refused = "refused";
    private const string Throttled = "throttled";
    private const string Failed = "error";

    /// <summary>What a client is told to wait after the store failed.</summary>
    private static readonly TimeSpan StoreRetryAfter = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapEventIngest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/events/{topic}", IngestAsync).RequireAuthorization(Scopes.EventsWrite).RequireRateLimiting(ApiAuth.IngestRateLimit);
        return endpoints;
    }

    private static async Task<IResult> IngestAsync(
        string topic,
        HttpRequest request,
        OrderTracker tracker,
        IntakeBatcher batcher,
        EventIntake intake,
        SourceRateLimits limits,
        IOptions<IngestOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!EventTypes.Topics.Contains(topic))
        {
            return UnknownTopic(topic);
        }

        if (MediaTypeOf(request) is not { } mediaType)
        {
            return UnsupportedMediaType();
        }

        var (document, refusal) = await ReadJsonAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (document is null)
        {
            return refusal!;
        }

        using (document)
        {
            var ingest = new Ingest(topic, tracker, batcher, intake, limits, loggers.CreateLogger("Proactive.Standalone.Ingest"));
            var response = request.HttpContext.Response;
            return mediaType == SingleContentType
                ? Answer(await ingest.OneAsync(document.RootElement, cancellationToken), response)
                : await IngestBatchAsync(ingest, document.RootElement, options.Value.MaxBatchEntries, response, cancellationToken);
        }
    }

    private static IResult UnknownTopic(string topic) =>
        Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Unknown topic",
            detail: $"Topic '{CloudEventFormat.Printable(topic)}' does not exist; events are posted to {string.Join(" or ", EventTypes.Topics.Select(t => $"/v1/events/{t}"))}.");

    /// <summary>The request's media type when it is one this endpoint takes (one event or a batch), else null.</summary>
    private static string? MediaTypeOf(HttpRequest request) =>
        request.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant() is var mediaType && mediaType is SingleContentType or BatchContentType
            ? mediaType
            : null;

    private static IResult UnsupportedMediaType() =>
        Results.Problem(
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported content type",
            detail: $"Content-Type must be {SingleContentType} (one event) or {BatchContentType} (a JSON array of events).");

    /// <summary>The body as JSON, or why not: too large (413), not UTF-8 or not JSON (400).</summary>
    private static async Task<(JsonDocument? Document, IResult? Refusal)> ReadJsonAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        var body = await ReadLimitedAsync(request, maxBodyBytes, cancellationToken);
        if (body is null)
        {
            return (null, Results.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large",
                detail: $"The body is larger than {maxBodyBytes} bytes (Proactive:Ingest:MaxBodyBytes); send smaller batches."));
        }

        if (!Utf8.IsValid(body))
        {
            return (null, BodyRefused("is not valid UTF-8"));
        }

        try
        {
            return (JsonDocument.Parse(body), null);
        }
        catch (JsonException e)
        {
            return (null, BodyRefused($"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
        }
    }

    /// <summary>A batch: refused whole when it is not a non-empty array or is too long, else every entry on its own.</summary>
    private static async Task<IResult> IngestBatchAsync(Ingest ingest, JsonElement batch, int maxBatchEntries, HttpResponse response, CancellationToken cancellationToken)
    {
        if (batch.ValueKind != JsonValueKind.Array || batch.GetArrayLength() == 0)
        {
            return BatchRefused("must be a non-empty JSON array of CloudEvents");
        }

        if (batch.GetArrayLength() > maxBatchEntries)
        {
            // Refused before any entry is read: one oversized batch of junk costs one answer, not one per entry.
            return BatchRefused($"holds more than {maxBatchEntries} events ({IngestOptions.Section}:MaxBatchEntries); send smaller batches");
        }

        return Answer(await ingest.ManyAsync(batch, cancellationToken), response);
    }

    private static IResult BatchRefused(string why) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [why] }, title: "The batch was refused");

    private static IResult BodyRefused(string why) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [why] }, title: "The request was refused");

    private static IResult Answer(EntryResult result, HttpResponse response)
    {
        var extensions = new Dictionary<string, object?> { ["source"] = result.Source, ["id"] = result.Id };
        switch (result.Status)
        {
            case Refused:
                return Results.ValidationProblem(result.Errors!.ToDictionary(), title: "The event was refused", detail: result.Summary, extensions: extensions);
            case Throttled:
                response.Headers.RetryAfter = result.RetryAfter?.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many events from this source", detail: result.Summary, extensions: extensions);
            case Failed:
                response.Headers.RetryAfter = result.RetryAfter?.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The event could not be stored", detail: result.Summary, extensions: extensions);
            default:
                return Results.Json(result, Json, statusCode: StatusCodes.Status202Accepted);
        }
    }

    private static IResult Answer(IReadOnlyList<EntryResult> results, HttpResponse response)
    {
        int Count(string status) => results.Count(r => r.Status == status);
        var summary = new BatchResult(Count(Accepted), Count(Duplicate), Count(Refused), Count(Throttled), Count(Failed), results);
        var status = (summary.Accepted + summary.Duplicates, summary.Refused, summary.Throttled, summary.Failed) switch
        {
            var (stored, _, _, _) when stored == results.Count => StatusCodes.Status202Accepted,
            var (_, refused, _, _) when refused == results.Count => StatusCodes.Status400BadRequest,
            var (_, _, throttled, _) when throttled == results.Count => StatusCodes.Status429TooManyRequests,
            var (_, _, _, failed) when failed == results.Count => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status207MultiStatus,
        };
        if (results.Max(r => r.RetryAfter) is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        return Results.Json(summary, Json, statusCode: status);
    }

    /// <summary>Entries judged and admitted one by one, then stored; whatever happens, each entry's answer says it.</summary>
    private sealed class Ingest(string topic, OrderTracker tracker, IntakeBatcher batcher, EventIntake intake, SourceRateLimits limits, ILogger logger)
    {
        /// <summary>One event, stored in a commit shared with the single events arriving beside it.</summary>
        public async Task<EntryResult> OneAsync(JsonElement element, CancellationToken cancellationToken)
        {
            var (e, refusal) = Admit(element, 0);
            if (e is null)
            {
                return refusal!;
            }

            try
            {
                return Stored(0, e, await batcher.HandleAsync(e, cancellationToken));
            }
            catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
            {
                LogNotStored(logger, Printable(e.Source), Printable(e.Id), failure);
                return NotStored(0, e, failure);
            }
        }

        /// <summary>A batch: every entry read and rate-limited first, then the admitted ones stored in one call.</summary>
        public async Task<IReadOnlyList<EntryResult>> ManyAsync(JsonElement batch, CancellationToken cancellationToken)
        {
            var results = new EntryResult[batch.GetArrayLength()];
            var admitted = new List<(int Index, InboundEvent Event)>(results.Length);
            var index = 0;
            foreach (var element in batch.EnumerateArray())
            {
                var (e, refusal) = Admit(element, index);
                if (e is null)
                {
                    results[index] = refusal!;
                }
                else
                {
                    admitted.Add((index, e));
                }

                index++;
            }

            if (admitted.Count == 0)
            {
                return results;
            }

            try
            {
                var stored = await batcher.HandleManyAsync([.. admitted.Select(a => a.Event)], cancellationToken);
                for (var k = 0; k < admitted.Count; k++)
                {
                    var (at, e) = admitted[k];
                    if (stored[k].Failure is { } failure)
                    {
                        LogNotStored(logger, Printable(e.Source), Printable(e.Id), failure);
                    }

                    results[at] = Stored(at, e, stored[k]);
                }
            }
            catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
            {
                // Nothing of the batch was committed: every admitted entry is answered as not stored.
                LogBatchNotStored(logger, admitted.Count, failure);
                foreach (var (at, e) in admitted)
                {
                    results[at] = NotStored(at, e, failure);
                }
            }

            return results;
        }

        /// <summary>The entry read and within its source's rate, or its answer: refused or throttled.</summary>
        private (InboundEvent? Event, EntryResult? Refusal) Admit(JsonElement element, int index)
        {
            var read = intake.Read(element, topic);
            if (read.Rejection is { } rejection)
            {
                tracker.Metrics.Refused(rejection);
                LogRefused(logger, Printable(rejection.Source), Printable(rejection.Id), rejection.Summary);
                return (null, new EntryResult(index, rejection.Source, rejection.Id, Refused, rejection.Errors, rejection.Summary));
            }

            var e = read.Event!;
            if (limits.TryAdmit(e.Source) is { } wait)
            {
                var seconds = (int)Math.Ceiling(Math.Max(wait.TotalSeconds, 1));
                LogThrottled(logger, Printable(e.Source), Printable(e.Id), seconds);
                return (null, new EntryResult(index, e.Source, e.Id, Throttled, null, $"source over its rate (Proactive:Ingest:EventsPerSecondPerSource); not stored, send it again in {seconds} s", seconds));
            }

            return (e, null);
        }

        /// <summary>Stored (accepted or a duplicate), or not when its order could not be evaluated.</summary>
        private static EntryResult Stored(int index, InboundEvent e, BatchEntryResult result) =>
            result.Failure is { } failure
                ? NotStored(index, e, failure)
                : new EntryResult(index, e.Source, e.Id, result.Outcome == IngestOutcome.Duplicate ? Duplicate : Accepted, null, null);

        private static EntryResult NotStored(int index, InboundEvent e, Exception failure) =>
            new(index, e.Source, e.Id, Failed, null, $"not stored ({failure.GetType().Name}); send it again", (int)StoreRetryAfter.TotalSeconds);

        private static string Printable(string? value) => value is null ? "?" : CloudEventFormat.Printable(value);
    }

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        // Sized by Content-Length when given, up to 64 KB (a declared length is only a claim: beyond
        // that the buffer grows as bytes arrive); the read chunk is pooled: a fresh 16 KB array per
        // request was a measurable share of a single event's CPU (zeroing).
        using var buffer = new MemoryStream(request.ContentLength is > 0 and var length ? (int)Math.Min(length, 64 * 1024) : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused event {Source}/{EventId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string source, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Throttled event {Source}/{EventId}: the source is over its rate; retry in {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, string source, string eventId, int seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Source}/{EventId} could not be stored; answered as not stored")]
    private static partial void LogNotStored(ILogger logger, string source, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} events could not be stored; each answered as not stored")]
    private static partial void LogBatchNotStored(ILogger logger, int count, Exception exception);

    /// <summary>One event's answer; Status is accepted, duplicate, refused, throttled or error (not stored).</summary>
    private sealed record EntryResult(
        int Index,
        string? Source,
        string? Id,
        string Status,
        IReadOnlyDictionary<string, string[]>? Errors,
        string? Summary,
        int? RetryAfter = null);

    private sealed record BatchResult(int Accepted, int Duplicates, int Refused, int Throttled, int Failed, IReadOnlyList<EntryResult> Results);
}
