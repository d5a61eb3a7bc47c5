using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Proactive.Notifier.Receipts;

/// <summary>
/// What a verified Twilio status callback says: the message, its status in Twilio's word
/// (queued, sent, delivered, undelivered, failed...), the error code of a failure, the notice id
/// our StatusCallback URL carried, and when the carrier reported it (RawDlrDoneDate, when given).
/// </summary>
public sealed record StatusCallback(string MessageSid, string Status, int? ErrorCode, string? NoticeId, DateTimeOffset? OccurredAt)
{
    /// <summary>The callback, or the problem naming the field at fault (never its value).</summary>
    public static (StatusCallback? Callback, string? Problem) Read(IReadOnlyDictionary<string, string> form, StringValues notice)
    {
        if (!form.TryGetValue("MessageSid", out var sid) || string.IsNullOrEmpty(sid))
        {
            return (null, "MessageSid is required");
        }

        if (sid.Length > 64 || !sid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return (null, "MessageSid must be at most 64 letters, digits, '-' or '_'");
        }

        if (!form.TryGetValue("MessageStatus", out var status) || string.IsNullOrEmpty(status))
        {
            return (null, "MessageStatus is required");
        }

        if (status.Length > 32 || !status.All(c => char.IsAsciiLetterLower(c) || c == '_'))
        {
            return (null, "MessageStatus must be a lower-case word such as delivered");
        }

        int? errorCode = null;
        if (form.TryGetValue("ErrorCode", out var codeText) && codeText.Length > 0)
        {
            if (!int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                return (null, "ErrorCode must be a whole number");
            }

            errorCode = code;
        }

        if (notice.Count > 1 || (notice.Count == 1 && (string.IsNullOrEmpty(notice[0]) || notice[0]!.Length > 512)))
        {
            return (null, "the query parameter notice must be given once, 1 to 512 characters");
        }

        return (new StatusCallback(sid, status, errorCode, notice.Count == 1 ? notice[0] : null, CarrierDoneAt(form)), null);
    }

    /// <summary>RawDlrDoneDate: the carrier's delivery report time, YYMMDDhhmm in UTC; ignored when unreadable.</summary>
    private static DateTimeOffset? CarrierDoneAt(IReadOnlyDictionary<string, string> form) =>
        form.TryGetValue("RawDlrDoneDate", out var text)
        && DateTimeOffset.TryParseExact(text, "yyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;
}
