namespace Proactive.Notifier.Voice;

/// <summary>The stored and reported name of a topic: late, damaged, wrong_item, courier_behaviour, communication, praise, other.</summary>
public static class VoiceTopicNames
{
    public static string Name(this VoiceTopic topic) => topic switch
    {
        VoiceTopic.Late => "late",
        VoiceTopic.Damaged => "damaged",
        VoiceTopic.WrongItem => "wrong_item",
        VoiceTopic.CourierBehaviour => "courier_behaviour",
        VoiceTopic.Communication => "communication",
        VoiceTopic.Praise => "praise",
        VoiceTopic.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(topic), topic, "unknown voice topic"),
    };
}
