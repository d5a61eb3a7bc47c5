using System.Diagnostics;
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
                using (var activity = StartPublishActivity(message))
                {
                    await publisher.PublishAsync(message, cancellationToken);
                }

                await store.MarkPublishedAsync(message.OutboxId, Time.GetUtcNow(), cancellationToken);
                published++;
            }
        }
    }

    /// <summary>A producer span continuing the trace of the event that caused the change (its row carries the context).</summary>
    private static Activity? StartPublishActivity(OutgoingEvent message)
    {
        ActivityContext.TryParse(message.TraceParent, message.TraceState, out var parent);
        var activity = ProactiveTelemetry.Source.StartActivity($"{message.Topic} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.operation.type", "publish");
        activity?.SetTag("messaging.destination.name", message.Topic);
        activity?.SetTag("messaging.message.id", message.EventId);
        activity?.SetTag("proactive.order_id", message.PartitionKey);
        return activity;
    }

    protected override bool Enabled => options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        await RelayPendingAsync(cancellationToken);
        return null;
    }
}
