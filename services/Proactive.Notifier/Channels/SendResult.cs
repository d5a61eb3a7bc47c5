namespace Proactive.Notifier.Channels;

/// <summary>The provider's answer, with its own code (Twilio error code, SendGrid HTTP status).</summary>
public sealed record SendResult(
    SendOutcome Outcome,
    string? ProviderMessageId = null,
    string? ProviderCode = null,
    string? Detail = null,
    TimeSpan? RetryAfter = null,
    RecipientProblem Problem = RecipientProblem.None)
{
    public static SendResult Sent(string providerMessageId) => new(SendOutcome.Sent, providerMessageId);

    /// <summary>Written to the local outbox file, not sent to anyone: counted "local".</summary>
    public static SendResult WrittenLocally(string id) => new(SendOutcome.Sent, id) { Local = true };

    /// <summary>No provider took it: the local outbox file did (see <see cref="WrittenLocally"/>).</summary>
    public bool Local { get; init; }

    public static SendResult Transient(string? code, string detail, TimeSpan? retryAfter = null) => new(SendOutcome.Transient, null, code, detail, retryAfter);

    public static SendResult Permanent(string? code, string detail, RecipientProblem problem = RecipientProblem.None) =>
        new(SendOutcome.Permanent, null, code, detail, null, problem);
}

public enum SendOutcome
{
    Sent,

    /// <summary>Worth another try later (5xx, 429, timeout, a full queue).</summary>
    Transient,

    /// <summary>Will never succeed as it is (invalid number, unsubscribed, rejected request).</summary>
    Permanent,
}

/// <summary>Why a permanent failure happened, when it is about the recipient rather than the request.</summary>
public enum RecipientProblem
{
    None,

    /// <summary>The address cannot receive on this channel (invalid number, landline, unroutable).</summary>
    Unreachable,

    /// <summary>The recipient unsubscribed from this sender (Twilio 21610: they replied STOP).</summary>
    OptedOut,
}
