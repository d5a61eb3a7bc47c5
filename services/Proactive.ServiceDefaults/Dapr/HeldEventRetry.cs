using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>Wakes the retry of held events (a parked one was put back through the API).</summary>
public sealed class HeldEventSignal : WorkSignal;

/// <summary>
/// Retries the Dapr events a handler failed on (kept by <see cref="DaprAppCallback"/>) when their
/// next attempt comes: each on its own, with backoff, until it succeeds or is parked.
/// </summary>
public sealed class HeldEventRetry(
    ItemFailures failures,
    DaprAppCallback callback,
    HeldEventSignal signal,
    TimeProvider time,
    IOptions<QueueOptions> options,
    ILogger<HeldEventRetry> logger) : BackgroundLoop(time, logger, signal)
{
    /// <summary>Retries every held event whose next attempt has come; returns how many were tried.</summary>
    public async Task<int> RetryDueAsync(CancellationToken cancellationToken)
    {
        var tried = 0;
        while (true)
        {
            var due = await failures.DueWithPayloadAsync(callback.HeldQueues, Time.GetUtcNow(), 50, cancellationToken);
            if (due.Count == 0)
            {
                return tried;
            }

            foreach (var held in due)
            {
                await callback.RetryHeldAsync(held, cancellationToken);
                tried++;
            }
        }
    }

    protected override bool Enabled => options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        await RetryDueAsync(cancellationToken);
        await failures.RefreshAsync(cancellationToken);
        return await failures.NextWithPayloadAsync(callback.HeldQueues, cancellationToken);
    }
}
