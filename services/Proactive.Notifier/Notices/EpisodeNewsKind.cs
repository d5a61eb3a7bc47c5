using System.Text.Json.Serialization;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier;

public enum EpisodeNewsKind
{
    Detected,
    Worsened,
    Updated,
    Resolved,
}
