namespace Proactive.Notifier.Voice;

/// <summary>
/// One lexicon entry. <paramref name="Polarity"/> 0 is a mention (the topic without a tone:
/// "driver", "연락"); a negated mention is a complaint about its absence ("nobody told me",
/// "연락이 없어요"). A negated polar cue loses its topic and half its weight, flipped ("not late").
/// </summary>
public sealed record VoiceCue(string Pattern, VoiceTopic? Topic, double Polarity)
{
    public bool IsMention => Polarity == 0;
}
