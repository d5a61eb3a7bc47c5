using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Queues;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Timers;

/// <summary>
/// Time-based rules (not shipped by shipBy, missed promise, stalled) fire without any event arriving.
/// Each order keeps one row in an indexed due-queue holding the next instant its verdict can change;
/// the sweep reads only the rows that fell due and re-applies the rules to those orders. An order
/// whose re-evaluation fails is retried on its own with backoff and parked after its last attempt
/// (<see cref="ItemFailures"/>); the other orders' timers go on.
/// </summary>
public sealed class DueTimerSweep(
    TrackerStore store,
    OrderTracker tracker,
    ItemFailures failures,
    TrackerMetrics metrics,
    TimeProvider time,
    IOptions<TrackerOptions> options,
    ILogger<DueTimerSweep> logger) : BackgroundLoop(time, logger)
{
    public const string Queue = "tracker.timers";

    /// <summary>Re-evaluates every order whose timer is due now; returns how many.</summary>
    public async Task<int> SweepDueAsync(CancellationToken cancellationToken)
    {
        var swept = 0;
        while (true)
        {
            var due = await store.DueTimersAsync(Time.GetUtcNow(), 500, cancellationToken);
            if (due.Count == 0)
            {
                return swept;
            }

            foreach (var orderId in due)
            {
                try
                {
                    await tracker.ReevaluateAsync(orderId, cancellationToken);
                }
                catch (Exception e) when (ItemFailures.IsItemFailure(e, cancellationToken))
                {
                    await failures.RecordAsync(Queue, orderId, orderId, e, cancellationToken);
                }

                swept++;
            }
        }
    }

    protected override bool Enabled => options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        await SweepDueAsync(cancellationToken);
        await RefreshQueueStatsAsync(cancellationToken);
        return await store.NextTimerDueAsync(cancellationToken);
    }

    /// <summary>Takes a fresh look at the due-queue and the outbox for the gauges.</summary>
    public async Task RefreshQueueStatsAsync(CancellationToken cancellationToken)
    {
        metrics.Queues(await store.QueueStatsAsync(Time.GetUtcNow(), cancellationToken));
        await failures.RefreshAsync(cancellationToken);
    }
}
