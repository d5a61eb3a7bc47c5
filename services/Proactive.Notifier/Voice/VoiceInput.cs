namespace Proactive.Notifier.Voice;

/// <summary>Where a customer's words came from.</summary>
public enum VoiceSource
{
    /// <summary>A free-text SMS reply to a notice (not an answer to the survey).</summary>
    SmsReply,

    /// <summary>An SMS reply that answered the survey ("2 택배기사가 불친절했어요").</summary>
    SmsSurvey,

    /// <summary>The comment box of the survey's email landing page.</summary>
    EmailSurvey,
}

/// <summary>
/// A customer's words to be recorded for analysis (<see cref="VoiceRecorder"/>): the raw text (the
/// recorder masks and classifies it; the raw text is never stored there), the score given with it
/// (survey answers), the locale Notifier knows for the customer (language of a text without
/// letters), and the order it is about when known. <paramref name="VoiceId"/> makes it once only
/// ("twilio:{sid}" for an SMS, "survey:{order}:{n}" for a comment).
/// </summary>
public sealed record VoiceInput(
    string VoiceId,
    VoiceSource Source,
    string? OrderId,
    string? CustomerId,
    int? Score,
    string Text,
    string? Locale,
    DateTimeOffset ReceivedAt);
