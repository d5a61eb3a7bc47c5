namespace Proactive.Notifier;

public enum EpisodeNewsKind
{
    Detected,
    Worsened,
    Updated,
    Resolved,

    /// <summary>
    /// The order was delivered with no episode open (never late, or recovered before delivery);
    /// once per order. Not delay news: it withdraws what is still waiting and may ask the survey.
    /// </summary>
    Delivered,
}
