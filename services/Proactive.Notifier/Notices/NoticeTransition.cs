namespace Proactive.Notifier;

/// <summary>What can happen to a notice. The allowed moves between statuses are in <see cref="NoticeLifecycle"/>.</summary>
public enum NoticeTransition
{
    /// <summary>The policy decided the news: to send now, later (quiet hours) or not at all.</summary>
    Decided,

    /// <summary>An SMS that cannot reach the customer: the same news by email, a new notice.</summary>
    FellBack,

    /// <summary>Taken for sending under a lease: a due notice, or one whose sender's lease lapsed.</summary>
    Claimed,

    /// <summary>Handed back untouched, the claim not counted (no capacity now, or the notice broke).</summary>
    GivenBack,

    /// <summary>Handed back to wait for a provider whose circuit is open.</summary>
    HeldForProvider,

    /// <summary>Checked at send time: quiet hours for the customer now, so later.</summary>
    DeferredAgain,

    /// <summary>Checked at send time: written again in the customer's new language.</summary>
    Rewritten,

    /// <summary>Never to be sent: newer news, the episode resolved, an opt-out or preferences that no longer include the channel.</summary>
    Withdrawn,

    /// <summary>The provider accepted it.</summary>
    Accepted,

    /// <summary>The provider failed transiently: tried again later.</summary>
    RetryScheduled,

    /// <summary>The provider failed transiently once too often, or for too long.</summary>
    Expired,

    /// <summary>The provider refused it for good.</summary>
    Refused,

    /// <summary>The provider refused it because the customer unsubscribed (STOP).</summary>
    OptedOut,

    /// <summary>A provider's receipt: it reached the customer (SMS delivered, email accepted by their mail server).</summary>
    DeliveryConfirmed,

    /// <summary>A provider's receipt: it never reached the customer (SMS undelivered or failed, email bounced or dropped).</summary>
    DeliveryFailed,
}
