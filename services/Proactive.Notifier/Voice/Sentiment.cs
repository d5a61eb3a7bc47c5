namespace Proactive.Notifier.Voice;

/// <summary>The tone of a customer's words, from the sign of <see cref="CustomerVoice.Score"/>.</summary>
public enum Sentiment
{
    Negative,
    Neutral,
    Positive,
}
