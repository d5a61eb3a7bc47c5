using System.Text.Json;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Receipts;

/// <summary>What a SendGrid event does to the notice it names (see <see cref="SendGridEvent.Effect"/>).</summary>
public enum EmailEventEffect
{
    /// <summary>Engagement (open, click), processed, re-subscribe, or an event we do not know: counted, nothing stored.</summary>
    Ignored,

    /// <summary>A receipt only: deferred, or a soft bounce (blocked, expired).</summary>
    Recorded,

    /// <summary>A receipt, and the sent notice is delivered.</summary>
    Delivered,

    /// <summary>A receipt, and the sent notice is undelivered.</summary>
    Undelivered,

    /// <summary>Undelivered, and the address gets no more email: a hard bounce, or dropped as a bounced or invalid address.</summary>
    Bounced,

    /// <summary>A receipt, and the customer is opted out of email: spam report, unsubscribe, group unsubscribe.</summary>
    OptedOut,
}

/// <summary>
/// One event of SendGrid's Event Webhook, as much of it as Proactive uses. Custom args arrive as
/// top-level keys: <see cref="NoticeId"/> is the "notice_id" the sender put on the mail.
/// <see cref="MessageId"/> is the X-Message-Id SendGrid answered the send with: "sg_message_id"
/// up to its first '.'.
/// </summary>
public sealed record SendGridEvent(
    int Index,
    string Event,
    string EventId,
    string? NoticeId,
    string? MessageId,
    string? Email,
    string? Type,
    string? Reason,
    string? Status,
    DateTimeOffset? OccurredAt)
{
    /// <summary>The longest sg_event_id taken (SendGrid's are at most 100 characters).</summary>
    public const int MaxEventIdLength = 200;

    /// <summary>The events SendGrid documents; any other name is counted as "other".</summary>
    private static readonly HashSet<string> Known =
    [
        "processed", "deferred", "delivered", "bounce", "dropped", "open", "click", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe",
    ];

    /// <summary>
    /// A bounce of type "bounce" (or of no type) is hard: the address will never take mail. Blocked
    /// and expired are soft. A drop is the address's fault only when SendGrid says it bounced before
    /// or is invalid; spam reports and unsubscribes are the customer saying "no more email".
    /// </summary>
    public EmailEventEffect Effect => Event switch
    {
        "delivered" => EmailEventEffect.Delivered,
        "deferred" => EmailEventEffect.Recorded,
        "bounce" => Type is null || Type.Equals("bounce", StringComparison.OrdinalIgnoreCase) ? EmailEventEffect.Bounced : EmailEventEffect.Recorded,
        "dropped" => Reason?.Trim() is { } reason && (reason.Equals("Bounced Address", StringComparison.OrdinalIgnoreCase) || reason.Equals("Invalid", StringComparison.OrdinalIgnoreCase))
            ? EmailEventEffect.Bounced
            : EmailEventEffect.Undelivered,
        "spamreport" or "unsubscribe" or "group_unsubscribe" => EmailEventEffect.OptedOut,
        _ => EmailEventEffect.Ignored,
    };

    /// <summary>
    /// The address is on SendGrid's unsubscribe or spam report list: an unsubscribe or spam report,
    /// or a mail dropped because of one. Its customers are opted out of email.
    /// </summary>
    public bool OptsOut => Effect == EmailEventEffect.OptedOut
        || (Event == "dropped" && Reason?.Trim() is { } reason
            && (reason.Equals("Unsubscribed Address", StringComparison.OrdinalIgnoreCase) || reason.Equals("Spam Reporting Address", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The receipt's status: the event's name, a soft bounce by its type ("blocked", "expired").</summary>
    public string ReceiptStatus => Event == "bounce" && Effect == EmailEventEffect.Recorded ? Safe(Type!.ToLowerInvariant(), 20) : Event;

    /// <summary>The event's name for metrics: a known name, else "other".</summary>
    public string MetricName => Known.Contains(Event) ? ReceiptStatus : "other";

    /// <summary>What SendGrid said, for the receipt: the reason, addresses and numbers masked (a bounce quotes the recipient).</summary>
    public string? Detail => Reason is null ? null : Safe(Redact.ContactDetails(Reason), 300);

    /// <summary>
    /// The events of a verified body, and each element that is not one (by index and field). Null
    /// events with a problem: the body is not a JSON array at all.
    /// </summary>
    public static (List<SendGridEvent>? Events, List<string> Problems) ParseBatch(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return (null, ["the body is not valid JSON (or repeats a key)"]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return (null, ["the body is not a JSON array of events"]);
            }

            var events = new List<SendGridEvent>();
            var problems = new List<string>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var (parsed, problem) = Parse(index++, element);
                if (parsed is not null)
                {
                    events.Add(parsed);
                }
                else
                {
                    problems.Add(problem!);
                }
            }

            return (events, problems);
        }
    }

    private static (SendGridEvent? Event, string? Problem) Parse(int index, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, $"[{index}]: not an object");
        }

        if (Text(element, "event") is not { Length: > 0 } name)
        {
            return (null, $"[{index}].event: missing or not a string");
        }

        if (Text(element, "sg_event_id") is not { Length: > 0 and <= MaxEventIdLength } eventId)
        {
            return (null, $"[{index}].sg_event_id: missing, not a string or over {MaxEventIdLength} characters");
        }

        var messageId = Text(element, "sg_message_id") is { Length: > 0 } sg ? sg.Split('.')[0] : null;
        DateTimeOffset? occurredAt = element.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number
            && ts.TryGetInt64(out var seconds) && seconds is >= 0 and <= 253402300799
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        return (new SendGridEvent(
            index,
            name.ToLowerInvariant(),
            eventId,
            Text(element, "notice_id"),
            messageId is { Length: > 0 and <= 200 } ? messageId : null,
            Text(element, "email"),
            Text(element, "type"),
            Text(element, "reason"),
            Text(element, "status") is { } status ? Safe(status, 20) : null,
            occurredAt), null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Safe(string text, int max) => text.Length <= max ? text : text[..max];
}
