using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Timers;

/// <summary>
/// Time-based rules (not shipped by shipBy, missed promise) fire without any event arriving.
/// Each order keeps one row in an indexed due-queue holding the next instant its verdict can change;
/// the sweep reads only the rows that fell due and re-applies the rules to those orders.
/// </summary>
public sealed partial class DueTimerSweep(
    TrackerStore store,
    OrderTracker tracker,
    TimeProvider time,
    IOptions<TrackerOptions> options,
    ILogger<DueTimerSweep> logger) : BackgroundService
{
    /// <summary>Re-evaluates every order whose timer is due now; returns how many.</summary>
    public async Task<int> SweepDueAsync(CancellationToken cancellationToken)
    {
        var swept = 0;
        while (true)
        {
            var due = await store.DueTimersAsync(time.GetUtcNow(), 500, cancellationToken);
            if (due.Count == 0)
            {
                return swept;
            }

            foreach (var orderId in due)
            {
                await tracker.ReevaluateAsync(orderId, cancellationToken);
                swept++;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunBackgroundWork)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.Value.PollInterval;
            try
            {
                await SweepDueAsync(stoppingToken);
                if (await store.NextTimerDueAsync(stoppingToken) is { } next)
                {
                    var untilNext = next - time.GetUtcNow();
                    wait = untilNext < wait ? untilNext : wait;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e);
            }

            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer sweep failed; will retry")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
