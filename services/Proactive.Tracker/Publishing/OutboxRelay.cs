using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Publishing;

/// <summary>Wakes Tracker's outbox relay after a commit that added outbox rows.</summary>
public sealed class OutboxSignal : WorkSignal;

/// <summary>
/// Publishes committed outbox rows in order and marks them published. A row is only marked after
/// its publish succeeded, so nothing decided is lost; a failed publish is retried on the next pass.
/// </summary>
public sealed class OutboxRelay(
    TrackerStore store,
    IEpisodePublisher publisher,
    OutboxSignal signal,
    TimeProvider time,
    IOptions<TrackerOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundLoop(time, logger, signal)
{
    /// <summary>Publishes everything committed so far; returns how many events went out.</summary>
    public async Task<int> RelayPendingAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        while (true)
        {
            var batch = await store.UnpublishedAsync(100, cancellationToken);
            if (batch.Count == 0)
            {
                return published;
            }

            foreach (var message in batch)
            {
                await publisher.PublishAsync(message, cancellationToken);
                await store.MarkPublishedAsync(message.OutboxId, Time.GetUtcNow(), cancellationToken);
                published++;
            }
        }
    }

    protected override bool Enabled => options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        await RelayPendingAsync(cancellationToken);
        return null;
    }
}
