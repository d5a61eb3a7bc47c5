namespace Proactive.Notifier.Voice;

/// <summary>What a customer's words are about. <see cref="Other"/> only when the text says something and nothing else matched.</summary>
public enum VoiceTopic
{
    Late,
    Damaged,
    WrongItem,
    CourierBehaviour,
    Communication,
    Praise,
    Other,
}
