using Proactive.Notifier.Store;

namespace Proactive.Notifier.Voice;

/// <summary>
/// Masks, classifies and stores a customer's words (table notifier_voice), in the caller's unit of
/// work, with what was known of the order then. Only the masked text is stored; the text is never logged.
/// </summary>
public sealed class VoiceRecorder(VoiceMetrics metrics)
{
    /// <summary>Records <paramref name="input"/> once (by its id); nothing for an empty text.</summary>
    public async Task RecordAsync(NotifierSession session, VoiceInput input)
    {
        if (Classified(input) is not { } item)
        {
            return;
        }

        var context = input.OrderId is { } orderId ? await session.Voice.ContextAsync(orderId) : OrderContext.None;
        if (await session.Voice.AddAsync(item with { Context = context }))
        {
            metrics.Recorded(item);
        }
    }

    /// <summary>The item to store for <paramref name="input"/> (without the order's context); null when the text is blank.</summary>
    public static VoiceItem? Classified(VoiceInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Text))
        {
            return null;
        }

        var voice = VoiceClassifier.Classify(input.Text, input.Locale);
        return new VoiceItem(
            input.VoiceId,
            input.Source.Name(),
            input.OrderId,
            input.CustomerId,
            input.Score,
            voice.MaskedText,
            voice.Language,
            [.. voice.Topics.Select(t => t.Name())],
            voice.Sentiment.Name(),
            voice.Score,
            OrderContext.None,
            input.ReceivedAt);
    }
}
