namespace Proactive.Tracker.Episodes;

/// <summary>What changed about an order's delay, to publish to Notifier.</summary>
public sealed record EpisodeChange(EpisodeChangeKind Kind, DelayEpisode Episode);

public enum EpisodeChangeKind
{
    Detected,
    Worsened,
    Updated,
    Resolved,
}
