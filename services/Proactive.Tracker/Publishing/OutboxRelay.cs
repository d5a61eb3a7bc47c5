using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Queues;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Publishing;

/// <summary>Wakes Tracker's outbox relay after a commit that added outbox rows.</summary>
public sealed class OutboxSignal : WorkSignal;

/// <summary>
/// Publishes committed outbox rows in order and marks them published. A row is only marked after
/// its publish succeeded, so nothing decided is lost. A row whose publish fails is retried on its
/// own with backoff and parked after its last attempt (<see cref="ItemFailures"/>); meanwhile only
/// the later rows of the same order wait (Notifier ignores a change older than one it has seen),
/// and once it is parked they go on: each carries the order's whole newer state.
/// </summary>
public sealed class OutboxRelay(
    TrackerStore store,
    IEpisodePublisher publisher,
    ItemFailures failures,
    OutboxSignal signal,
    TimeProvider time,
    IOptions<TrackerOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundLoop(time, logger, signal)
{
    public const string Queue = "tracker.outbox";

    /// <summary>Publishes everything committed so far that may go now; returns how many events went out.</summary>
    public async Task<int> RelayPendingAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        while (true)
        {
            var batch = await store.UnpublishedAsync(Time.GetUtcNow(), 100, cancellationToken);
            if (batch.Count == 0)
            {
                return published;
            }

            // One commit marks the round's published rows (a crash before it publishes them again,
            // as between any publish and its mark: Notifier takes a change it has seen as a duplicate).
            if (await TryPublishAllAsync(batch, cancellationToken))
            {
                await store.MarkPublishedAsync(batch, Time.GetUtcNow(), cancellationToken);
                published += batch.Count;
                continue;
            }

            var done = new List<OutgoingEvent>(batch.Count);
            foreach (var message in batch)
            {
                try
                {
                    using var activity = StartPublishActivity(message);
                    await publisher.PublishAsync(message, cancellationToken);
                }
                catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
                {
                    await failures.RecordAsync(Queue, message.PartitionKey, message.EventId, e, cancellationToken);
                    continue;
                }
                catch when (done.Count > 0)
                {
                    await store.MarkPublishedAsync(done, Time.GetUtcNow(), CancellationToken.None);
                    throw;
                }

                done.Add(message);
            }

            await store.MarkPublishedAsync(done, Time.GetUtcNow(), cancellationToken);
            published += done.Count;
        }
    }

    /// <summary>
    /// The round handed over at once (standalone: one Notifier transaction for all of it); false
    /// when the publisher goes one by one or one of the events failed (then each goes alone).
    /// </summary>
    private async Task<bool> TryPublishAllAsync(IReadOnlyList<OutgoingEvent> batch, CancellationToken cancellationToken)
    {
        try
        {
            return batch.Count > 1 && await publisher.PublishAllAsync(batch, cancellationToken);
        }
        catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
        {
            return false;
        }
    }

    /// <summary>A producer span continuing the trace of the event that caused the change (its row carries the context).</summary>
    public static Activity? StartPublishActivity(OutgoingEvent message)
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
        return await failures.NextAttemptAsync(Queue, Time.GetUtcNow(), cancellationToken);
    }
}
