namespace Proactive.Notifier.Voice;

/// <summary>The stored and reported names of sources and sentiments.</summary>
public static class VoiceNames
{
    public static string Name(this VoiceSource source) => source switch
    {
        VoiceSource.SmsReply => "sms_reply",
        VoiceSource.SmsSurvey => "sms_survey",
        VoiceSource.EmailSurvey => "email_survey",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "unknown voice source"),
    };

    public static string Name(this Sentiment sentiment) => sentiment switch
    {
        Sentiment.Negative => "negative",
        Sentiment.Neutral => "neutral",
        Sentiment.Positive => "positive",
        _ => throw new ArgumentOutOfRangeException(nameof(sentiment), sentiment, "unknown sentiment"),
    };
}
