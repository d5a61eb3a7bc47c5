namespace Proactive.Notifier.Voice;

/// <summary>What was known of an order when its customer wrote: delay reason (wire name), carrier and destination.</summary>
public sealed record OrderContext(string? Reason, string? Carrier, string? Destination)
{
    public static readonly OrderContext None = new(null, null, null);
}

/// <summary>A customer's words as stored for analysis: masked and classified, with the order's context.</summary>
/// <param name="Source">sms_reply, sms_survey or email_survey.</param>
/// <param name="Topics">Topic names (<see cref="VoiceTopicNames"/>).</param>
/// <param name="Sentiment">negative, neutral or positive.</param>
public sealed record VoiceItem(
    string VoiceId,
    string Source,
    string? OrderId,
    string? CustomerId,
    int? Score,
    string Text,
    string? Language,
    IReadOnlyList<string> Topics,
    string Sentiment,
    double SentimentScore,
    OrderContext Context,
    DateTimeOffset ReceivedAt);

/// <summary>A stored item read back, with the CSAT cohort of its order's survey when read for the export.</summary>
public sealed record StoredVoice(
    string VoiceId,
    string Source,
    string? OrderId,
    string? CustomerId,
    int? Score,
    string Text,
    string? Language,
    IReadOnlyList<string> Topics,
    string Sentiment,
    double SentimentScore,
    OrderContext Context,
    DateTimeOffset ReceivedAt,
    string? Cohort);

/// <summary>Where a page of the export ended: the last item's time and id.</summary>
public sealed record VoiceCursor(DateTimeOffset ReceivedAt, string VoiceId);

/// <summary>What the summary counts items by.</summary>
public enum VoiceDimension
{
    Topics,
    Sentiment,
    Reason,
    Carrier,
    Destination,
}

/// <summary>How many items had <paramref name="Value"/> (null: not known) with <paramref name="Sentiment"/>.</summary>
public sealed record VoiceTally(string? Value, string Sentiment, long Count);

/// <summary>Surveys of one cohort scored in a range: how many, the sum of their scores, how many gave 4 or 5.</summary>
public sealed record CohortScores(string Cohort, long Answered, long Total, long Satisfied);
