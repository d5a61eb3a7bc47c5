namespace Proactive.Notifier;

/// <summary>One provider call for a notice, as recorded.</summary>
public sealed record NoticeAttempt(string NoticeId, int Attempt, DateTimeOffset At, string Outcome, string? ProviderCode, string? Detail);
