using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proactive.Contracts.Notifier.V1;
using Proactive.Notifier.Replies;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Grpc;

/// <summary>
/// GET /v1/orders/{orderId}/replies and GET /v1/replies?since=: what customers wrote back, with the
/// sender masked. Bad input is refused with InvalidArgument (400 over JSON) naming the field.
/// </summary>
public sealed class ReplyService(NoticeStore store) : CustomerReplies.CustomerRepliesBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    private const int MaxReplyIdChars = 128;

    public override async Task<ListRepliesResponse> ListOrderReplies(ListOrderRepliesRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.OrderId))
        {
            throw Invalid("order_id is required");
        }

        var replies = await store.ReadAsync(reads => reads.RepliesForOrderAsync(request.OrderId), context.CancellationToken);
        var response = new ListRepliesResponse();
        response.Replies.AddRange(replies.Select(ToView));
        return response;
    }

    public override async Task<ListRepliesResponse> ListReplies(ListRepliesRequest request, ServerCallContext context)
    {
        var errors = new List<string>();
        var since = Since(request.Since, errors);
        var size = request.PageSize switch
        {
            0 => DefaultPageSize,
            >= 1 and <= MaxPageSize => request.PageSize,
            _ => Error<int>(errors, $"page_size: must be between 1 and {MaxPageSize}"),
        };
        var after = Cursor(request.PageToken, errors);
        if (errors.Count > 0)
        {
            throw Invalid(string.Join("; ", errors));
        }

        // One more than asked tells whether another page follows.
        var replies = await store.ReadAsync(reads => reads.RepliesSinceAsync(since, after, size + 1), context.CancellationToken);
        var response = new ListRepliesResponse();
        response.Replies.AddRange(replies.Take(size).Select(ToView));
        if (replies.Count > size)
        {
            response.NextPageToken = Token(replies[size - 1]);
        }

        return response;
    }

    /// <summary>The page token after <paramref name="last"/>: opaque to callers, its position to us.</summary>
    public static string Token(CustomerReply last) =>
        PageToken.For(last.ReceivedAt, last.ReplyId);

    private static DateTimeOffset Since(string since, List<string> errors)
    {
        // An unescaped "+09:00" in a query string arrives as " 09:00".
        since = since.Replace(' ', '+');
        if (since.Length == 0)
        {
            return DateTimeOffset.UnixEpoch;
        }

        // RFC 3339: a date, "T", a time and an offset (Z or ±hh:mm).
        if (since.Length <= 40
            && DateTimeOffset.TryParseExact(
                since, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            && (since.EndsWith('Z') || since.EndsWith('z') || since[^6] is '+' or '-'))
        {
            return at;
        }

        errors.Add("since: must be an RFC 3339 timestamp with an offset, e.g. 2026-11-24T10:00:00+09:00");
        return default;
    }

    private static ReplyCursor? Cursor(string token, List<string> errors) =>
        PageToken.Read(token, MaxReplyIdChars, errors) is { } at ? new ReplyCursor(at.At, at.Id) : null;

    private static T Error<T>(List<string> errors, string error)
    {
        errors.Add(error);
        return default!;
    }

    private static RpcException Invalid(string detail) => new(new Status(StatusCode.InvalidArgument, detail));

    private static ReplyView ToView(CustomerReply r) => new()
    {
        ReplyId = r.ReplyId,
        OrderId = r.OrderId ?? "",
        NoticeId = r.NoticeId ?? "",
        CustomerId = r.CustomerId ?? "",
        Channel = r.Channel.ToString().ToUpperInvariant(),
        Sender = Redact.Phone(r.Sender),
        Body = r.Body,
        ReceivedAt = Timestamp.FromDateTimeOffset(r.ReceivedAt),
    };
}
