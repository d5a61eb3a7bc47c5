using System.Diagnostics.Metrics;

namespace Proactive.Notifier.Survey;

/// <summary>The survey's instruments on Notifier's meter ("Proactive.Notifier").</summary>
public sealed class SurveyMetrics
{
    private readonly Counter<long> surveys;
    private readonly Counter<long> answers;
    private readonly Counter<long> scores;

    public SurveyMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NotifierMetrics.MeterName);
        surveys = meter.CreateCounter<long>(
            "proactive.notifier.surveys", "{survey}", "Surveys decided after delivery, by channel and outcome (asked, deferred, suppressed).");
        answers = meter.CreateCounter<long>(
            "proactive.notifier.survey.answers", "{answer}", "Answers to the survey, by channel and whether they gave a score.");
        scores = meter.CreateCounter<long>(
            "proactive.notifier.survey.scores", "{answer}", "Scores given to the survey, by score (1–5) and channel.");
    }

    public void Decided(Channel channel, string outcome) => surveys.Add(1, new("channel", Name(channel)), new("outcome", outcome));

    public void Answered(Channel channel, int? score)
    {
        answers.Add(1, new("channel", Name(channel)), new("scored", score is null ? "no" : "yes"));
        if (score is { } given)
        {
            scores.Add(1, new("score", given), new("channel", Name(channel)));
        }
    }

    private static string Name(Channel channel) => channel == Channel.Sms ? "sms" : "email";
}
