namespace Proactive.Notifier;

/// <summary>
/// What one transition asks the store to persist: the notice as it becomes (<see cref="After"/>),
/// the attempt to log, and the fence. A change to an existing notice applies only while the row
/// still has <see cref="ExpectedStatus"/> and <see cref="ExpectedAttempts"/> (a claim that was taken
/// over, or news that overtook it, changes nothing); a new notice has no expected status.
/// </summary>
public sealed record NoticeChange(
    NoticeTransition Transition,
    NoticeRecord After,
    NoticeStatus? ExpectedStatus,
    int ExpectedAttempts,
    NoticeAttempt? Attempt = null)
{
    public bool Creates => ExpectedStatus is null;
}
