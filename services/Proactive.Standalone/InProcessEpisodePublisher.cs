using Proactive.Notifier;
using Proactive.Tracker.Publishing;

namespace Proactive.Standalone;

/// <summary>
/// Standalone's stand-in for pub/sub: Tracker's outbox relay hands each delay-episode change
/// straight to Notifier. The outbox row is only marked published after Notifier committed, and
/// Notifier ignores a change it already processed, so a crash in between loses and doubles nothing.
/// </summary>
internal sealed class InProcessEpisodePublisher(DelayEpisodeHandler notifier) : IEpisodePublisher
{
    public Task PublishAsync(OutgoingEvent message, CancellationToken cancellationToken) =>
        notifier.HandleAsync(OutgoingEvent.Source, message.EventId, message.Data, cancellationToken);
}
