namespace Proactive.Notifier.Voice;

/// <summary>
/// A customer's words, classified: topics (in <see cref="VoiceTopic"/> order, no duplicates; empty
/// when the text says nothing, e.g. a bare score), sentiment with its score in [-1, 1], the language
/// ("ko", "en", or null when neither the text nor the locale tells), and the text as stored for
/// analysis (NFKC, trimmed, phone numbers and emails masked).
/// </summary>
public sealed record CustomerVoice(
    IReadOnlyList<VoiceTopic> Topics,
    Sentiment Sentiment,
    double Score,
    string? Language,
    string MaskedText);
