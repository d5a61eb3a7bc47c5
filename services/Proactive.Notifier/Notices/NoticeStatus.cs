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

    /// <summary>Sent, and the provider's receipt says it reached the customer.</summary>
    Delivered,

    /// <summary>Sent, and the provider's receipt says it never reached the customer.</summary>
    Undelivered,
}
