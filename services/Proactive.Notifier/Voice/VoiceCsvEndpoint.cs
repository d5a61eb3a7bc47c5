using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Voice;

/// <summary>
/// GET /v1/voice/replies.csv?from=&amp;to=: the customers' words of [from, to) as a CSV file for a
/// spreadsheet (masked text, classification, the order's context and CSAT cohort), oldest first,
/// read and written a page at a time so memory stays flat however many rows there are.
/// </summary>
public static class VoiceCsvEndpoint
{
    public const string Path = "/v1/voice/replies.csv";
    public const int PageSize = 500;

    public static readonly string[] Header =
    [
        "received_at", "voice_id", "order_id", "customer_id", "source", "language", "score", "sentiment", "sentiment_score",
        "topics", "delay_reason", "carrier", "destination", "cohort", "text",
    ];

    public static async Task<IResult> HandleAsync(HttpContext http, NoticeStore store, TimeProvider time)
    {
        var query = http.Request.Query;
        var (range, errors) = VoiceRange.Parse(query["from"].ToString(), query["to"].ToString(), time.GetUtcNow());
        if (range is null)
        {
            return Results.ValidationProblem(
                errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                detail: string.Join("; ", errors),
                title: "The range was refused");
        }

        var ct = http.RequestAborted;
        var response = http.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"voice-replies-{FileStamp(range.From)}-{FileStamp(range.To)}.csv\"";
        response.Headers.CacheControl = "no-store";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
        await writer.WriteAsync(Csv.ByteOrderMark);
        await writer.WriteAsync(Csv.Row(Header));

        VoiceCursor? after = null;
        while (true)
        {
            var page = await store.ReadAsync(reads => reads.Voice.PageAsync(range.From, range.To, after, PageSize), ct);
            foreach (var item in page)
            {
                await writer.WriteAsync(Line(item));
            }

            await writer.FlushAsync(ct);
            if (page.Count < PageSize)
            {
                break;
            }

            after = new VoiceCursor(page[^1].ReceivedAt, page[^1].VoiceId);
        }

        return Results.Empty;
    }

    /// <summary>One item's line, in <see cref="Header"/>'s order.</summary>
    public static string Line(StoredVoice v) => Csv.Row(
        Csv.Plain(v.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        Csv.Text(v.VoiceId),
        Csv.Text(v.OrderId),
        Csv.Text(v.CustomerId),
        Csv.Text(v.Source),
        Csv.Text(v.Language),
        Csv.Plain(v.Score?.ToString(CultureInfo.InvariantCulture)),
        Csv.Text(v.Sentiment),
        Csv.Plain(v.SentimentScore.ToString("0.###", CultureInfo.InvariantCulture)),
        Csv.Text(string.Join(';', v.Topics)),
        Csv.Text(v.Context.Reason),
        Csv.Text(v.Context.Carrier),
        Csv.Text(v.Context.Destination),
        Csv.Text(v.Cohort),
        Csv.Text(v.Text));

    private static string FileStamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
