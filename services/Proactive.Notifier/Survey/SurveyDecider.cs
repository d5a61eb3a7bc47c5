using Proactive.Notifier.Store;

namespace Proactive.Notifier.Survey;

/// <summary>
/// Decides, for news that the order was delivered, whether and how to ask the one-question survey:
/// records the survey notice (pending, deferred or suppressed) and the survey row, in the caller's
/// unit of work (the order is locked, the news is new).
/// </summary>
public sealed class SurveyDecider
{
    /// <summary>The survey notices recorded for <paramref name="news"/> (none for news that is not a delivery).</summary>
    public Task<IReadOnlyList<NoticeRecord>> OnNewsAsync(NotifierSession session, EpisodeNews news, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<NoticeRecord>>([]);
}
