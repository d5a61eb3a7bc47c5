using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Proactive.Notifier.Store;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Survey;

/// <summary>
/// GET /v1/survey/{token}: the one-click answer of the survey email. The signed token is the
/// capability (no cookie, no session): bad or tampered → 404, expired → 410, else the score is
/// recorded (again: idempotent) and a page thanks the customer and offers a comment box, posted to
/// the same address, which stores the score and the words. HEAD records nothing. A mail scanner
/// that opens every link shows as different scores clicked within a minute: such a click leaves
/// the survey unscored until a person confirms a score with the form.
/// </summary>
public sealed partial class SurveyLanding(NoticeStore store, SurveyTokens tokens, VoiceRecorder voice, SurveyMetrics metrics, TimeProvider time, ILogger<SurveyLanding> logger)
{
    public const string Route = "/v1/survey/{token}";

    /// <summary>The largest comment form read; a bigger one is refused with 413.</summary>
    public const int MaxFormBytes = 16 * 1024;

    /// <summary>The longest comment kept; longer ones are cut.</summary>
    public const int MaxComment = 2000;

    /// <summary>Two different scores clicked within this are a scanner's, not a person's.</summary>
    public static readonly TimeSpan ScannerWindow = TimeSpan.FromMinutes(1);

    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    private sealed record Outcome(int Status, string Html);

    public async Task<IResult> GetAsync(HttpContext http, string token)
    {
        var record = HttpMethods.IsGet(http.Request.Method);
        var now = time.GetUtcNow();
        var outcome = await store.InTransactionAsync(
            async session =>
            {
                var (link, survey, refusal) = await CheckAsync(session, token, now);
                if (refusal is not null)
                {
                    return refusal;
                }

                var shown = link.Score;
                if (record)
                {
                    var scanner = survey!.ConfirmedAt is null && survey.ClickedAt is { } last && now - last < ScannerWindow && survey.ClickedScore != link.Score;
                    int? score = scanner ? null : link.Score;
                    // The click's own time for the scanner window; the same score clicked again keeps when it was first given.
                    await session.Surveys.ClickAsync(survey.OrderId, link.Score, now, score, score == survey.Score && survey.ScoredAt is { } kept ? kept : now);
                    if (score is not null && score != survey.Score)
                    {
                        metrics.Answered(Channel.Email, score);
                    }

                    LogClicked(logger, survey.OrderId, scanner ? "unconfirmed: another score was clicked within a minute" : "recorded");
                }

                return new Outcome(StatusCodes.Status200OK, SurveyPage.Scored(survey!.Locale, shown, MaxComment));
            },
            http.RequestAborted);
        return Answer(http, outcome, body: record);
    }

    public async Task<IResult> PostAsync(HttpContext http, string token)
    {
        var request = http.Request;
        if (request.ContentLength > MaxFormBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"The form is over {MaxFormBytes} bytes.");
        }

        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The body must be application/x-www-form-urlencoded.");
        }

        var body = await ReadCappedAsync(http);
        if (body is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"The form is over {MaxFormBytes} bytes.");
        }

        string? scoreField = null, comment = null;
        try
        {
            var reader = new FormReader(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body));
            while (reader.ReadNextPair() is { } pair)
            {
                scoreField = pair.Key == "score" ? pair.Value : scoreField;
                comment = pair.Key == "comment" ? pair.Value : comment;
            }
        }
        catch (DecoderFallbackException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form is not valid UTF-8.");
        }

        if (scoreField is { Length: > 0 } && !(int.TryParse(scoreField, out var given) && given is >= 1 and <= 5))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "score: must be a whole number from 1 to 5.");
        }

        comment = comment?.Trim() is { Length: > 0 } words ? words[..Math.Min(words.Length, MaxComment)] : null;
        var now = time.GetUtcNow();
        var outcome = await store.InTransactionAsync(
            async session =>
            {
                var (link, survey, refusal) = await CheckAsync(session, token, now);
                if (refusal is not null)
                {
                    return refusal;
                }

                var score = int.TryParse(scoreField, out var chosen) && chosen is >= 1 and <= 5 ? chosen : link.Score;
                await session.Surveys.ScoreAsync(survey!.OrderId, score, now, confirmed: true);
                metrics.Answered(Channel.Email, score);
                await voice.RecordAsync(session, new VoiceInput(
                    VoiceIdFor(survey.OrderId, comment), VoiceSource.EmailSurvey, survey.OrderId, survey.CustomerId, score, comment ?? "", survey.Locale, now));
                LogClicked(logger, survey.OrderId, comment is null ? "confirmed by the form" : "confirmed by the form, with a comment");
                return new Outcome(StatusCodes.Status200OK, SurveyPage.Commented(survey.Locale));
            },
            http.RequestAborted);
        return Answer(http, outcome, body: true);
    }

    /// <summary>The same comment posted twice is recorded once.</summary>
    public static string VoiceIdFor(string orderId, string? comment) =>
        $"survey:{orderId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(comment ?? "")))[..16]}";

    /// <summary>The link checked, and the survey it answers; or the page that refuses it.</summary>
    private async Task<(SurveyLink Link, SurveyRecord? Survey, Outcome? Refusal)> CheckAsync(NotifierSession session, string token, DateTimeOffset now)
    {
        var link = SurveyTokens.Check(await tokens.KeyAsync(session, now), token, now);
        if (link.Status == SurveyLinkStatus.Bad)
        {
            return (link, null, new Outcome(StatusCodes.Status404NotFound, SurveyPage.NotFound()));
        }

        await session.LockOrderAsync(link.OrderId!);
        var survey = await session.Surveys.FindAsync(link.OrderId!);
        return survey is null ? (link, null, new Outcome(StatusCodes.Status404NotFound, SurveyPage.NotFound()))
            : link.Status == SurveyLinkStatus.Expired ? (link, survey, new Outcome(StatusCodes.Status410Gone, SurveyPage.Expired(survey.Locale)))
            : (link, survey, null);
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxFormBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The page, with headers that keep the token out of referrers and caches and forbid anything but the page itself.</summary>
    private static IResult Answer(HttpContext http, Outcome outcome, bool body)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        if (!body)
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            return Results.StatusCode(outcome.Status);
        }

        return Results.Content(outcome.Html, "text/html; charset=utf-8", Encoding.UTF8, outcome.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: survey link {What}")]
    private static partial void LogClicked(ILogger logger, string orderId, string what);
}
