namespace Proactive.Notifier;

public enum NoticeStatus
{
    Pending,
    Sending,
    Sent,
    Deferred,
    Suppressed,
    Failed,
}
