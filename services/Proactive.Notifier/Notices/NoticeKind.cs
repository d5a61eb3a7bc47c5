namespace Proactive.Notifier;

/// <summary>What piece of news a notice tells.</summary>
public enum NoticeKind
{
    /// <summary>First word of a delay.</summary>
    Delay,

    /// <summary>The estimate slipped again by at least the re-notify threshold.</summary>
    FurtherDelay,

    /// <summary>The customer must act (fix the address).</summary>
    ActionRequired,

    /// <summary>Good news after a delay notice: the estimate is back within the promise.</summary>
    BackOnTrack,

    /// <summary>
    /// First word of an episode the delivery-time model opened (reason PREDICTED_LATE): the order
    /// may arrive late. Softer than <see cref="Delay"/>, which tells a delay the carrier or a
    /// deadline confirmed.
    /// </summary>
    AtRisk,

    /// <summary>
    /// The one-question survey after delivery ("how did we do?"): at most one per order (its
    /// episode id is <c>{order}/survey</c>), not news of a delay, never a fallback to another channel.
    /// </summary>
    Survey,
}

public static class NoticeKinds
{
    /// <summary>Word of a delay (or of a risk of one): what the order cap, the lead-time metric and "was the customer told" count.</summary>
    public static bool IsWarning(this NoticeKind kind) => kind is not (NoticeKind.BackOnTrack or NoticeKind.Survey);
}
