namespace Proactive.Notifier.Store;

/// <summary>
/// A notice's statuses as SQL literals (the stored value is the enum's name) and the conditions
/// built on them, written once for every query.
/// </summary>
internal static class NoticeSql
{
    public static readonly string Sending = Literal(NoticeStatus.Sending);

    /// <summary>Pending or deferred: waiting for its time.</summary>
    public static readonly string Waiting = In(NoticeLifecycle.Waiting);

    /// <summary>Every status a claim may take a notice from, due or not.</summary>
    public static readonly string Claimable = In(NoticeLifecycle.Allowed.Single(t => t.Transition == NoticeTransition.Claimed).From);

    public static string Literal(NoticeStatus status) => $"'{status}'";

    /// <summary>
    /// A notice row (columns prefixed with <paramref name="row"/>) that may be claimed at @now:
    /// waiting and its time has come, or claimed by a sender whose lease lapsed.
    /// </summary>
    public static string Due(string row = "") =>
        $"(({row}status IN {Waiting} AND {row}scheduled_at <= @now) OR ({row}status = {Sending} AND {row}lease_until <= @now))";

    /// <summary>When a notice row may be claimed: its lease's end while it is being sent, else its scheduled time.</summary>
    public static string DueAt(string row = "") => $"(CASE WHEN {row}status = {Sending} THEN {row}lease_until ELSE {row}scheduled_at END)";

    private static string In(IEnumerable<NoticeStatus> statuses) => $"({string.Join(", ", statuses.Select(Literal))})";
}
