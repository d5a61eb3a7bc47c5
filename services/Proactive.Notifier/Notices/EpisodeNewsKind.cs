namespace Proactive.Notifier;

public enum EpisodeNewsKind
{
    Detected,
    Worsened,
    Updated,
    Resolved,
}
