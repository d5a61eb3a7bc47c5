namespace Proactive.Notifier;

/// <summary>Where a notice stands. Stored by name, shown by the API in lower case; the moves between them are in <see cref="NoticeLifecycle"/>.</summary>
public enum NoticeStatus
{
    Pending,
    Sending,
    Sent,
    Deferred,
    Suppressed,
    Failed,
}
