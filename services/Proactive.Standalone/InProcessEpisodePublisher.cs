using Proactive.Notifier;
using Proactive.Tracker.Publishing;

namespace Proactive.Standalone;

/// <summary>
/// Standalone's stand-in for pub/sub: Tracker's outbox relay hands each delay-episode change
/// straight to Notifier — a relay round in one Notifier transaction. The outbox rows are only
/// marked published after Notifier committed, and Notifier ignores a change it already processed,
/// so a crash in between loses and doubles nothing.
/// </summary>
internal sealed class InProcessEpisodePublisher(DelayEpisodeHandler notifier) : IEpisodePublisher
{
    public Task PublishAsync(OutgoingEvent message, CancellationToken cancellationToken) =>
        notifier.HandleAsync(OutgoingEvent.Source, message.EventId, message.Data, cancellationToken);

    public async Task<bool> PublishAllAsync(IReadOnlyList<OutgoingEvent> messages, CancellationToken cancellationToken)
    {
        await notifier.HandleManyAsync(
            [.. messages.Select(m => new EpisodeDelivery(OutgoingEvent.Source, m.EventId, m.Data))],
            i => OutboxRelay.StartPublishActivity(messages[i]),
            cancellationToken);
        return true;
    }
}
