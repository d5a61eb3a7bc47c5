namespace Proactive.Notifier.Survey;

/// <summary>
/// The survey asked of one delivered order (table notifier_surveys): which notice asked it, on
/// which channel and in which language; the CSAT cohort, frozen when asked, with what the order's
/// news said; the score (the latest answer) and, for the email's links, the last click and whether
/// a form post confirmed the score.
/// </summary>
public sealed record SurveyRecord(
    string OrderId,
    string NoticeId,
    string CustomerId,
    Channel Channel,
    string Locale,
    string Cohort,
    DateTimeOffset? FirstToldAt,
    DateTimeOffset PromisedBy,
    DateTimeOffset? DeliveredAt,
    string? Reason,
    string? ExceptionCode,
    string? Carrier,
    string? Destination,
    DateTimeOffset AskedAt,
    int? Score = null,
    DateTimeOffset? ScoredAt = null,
    int? ClickedScore = null,
    DateTimeOffset? ClickedAt = null,
    DateTimeOffset? ConfirmedAt = null);
