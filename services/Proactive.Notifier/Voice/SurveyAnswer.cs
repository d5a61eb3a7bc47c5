namespace Proactive.Notifier.Voice;

/// <summary>A reply to "How did we do? Reply 1–5": the score when one was given (1–5), and the customer's other words (null when none).</summary>
public sealed record SurveyAnswer(int? Score, string? Comment);
