using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Proactive.ServiceDefaults;

/// <summary>
/// A background worker that does what is due, then sleeps until the next due time, its poll
/// interval, or a <see cref="WorkSignal"/> — whichever comes first. Failures are logged and retried
/// on the next round; the work itself must be safe to repeat.
/// </summary>
public abstract partial class BackgroundLoop(TimeProvider time, ILogger logger, WorkSignal? signal = null) : BackgroundService
{
    protected TimeProvider Time => time;

    /// <summary>Tests turn the loop off and call the work directly.</summary>
    protected abstract bool Enabled { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>Does the work due now; returns the next instant work falls due, if known.</summary>
    protected abstract Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = PollInterval;
            try
            {
                if (await RunDueAsync(stoppingToken) is { } next && next - time.GetUtcNow() < wait)
                {
                    wait = next - time.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down mid-work: whatever was claimed is reclaimed after its lease.
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, GetType().Name, e);
            }

            try
            {
                wait = wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
                await (signal is null ? Task.Delay(wait, time, stoppingToken) : signal.WaitAsync(wait, time, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} failed; it will try again")]
    private static partial void LogFailed(ILogger logger, string worker, Exception exception);
}
