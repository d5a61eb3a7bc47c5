namespace Proactive.ServiceDefaults;

/// <summary>
/// Wakes a background loop early: a writer calls <see cref="Notify"/> after it commits work the
/// loop should pick up; the loop waits for a notification or its poll interval, whichever comes
/// first. Notifications coalesce, so a burst of writes wakes the loop once.
/// </summary>
public class WorkSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; the loop will see everything written so far.
        }
    }

    /// <summary>
    /// Completes when notified (taking the notification, as the loop's wait would); a worker busy
    /// with a round waits on this to take new work into the same round. Cancelled: nothing taken.
    /// </summary>
    public Task NotifiedAsync(CancellationToken cancellationToken) => signal.WaitAsync(cancellationToken);

    public async Task WaitAsync(TimeSpan pollInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = signal.WaitAsync(linked.Token);
        var timeout = Task.Delay(pollInterval, time, linked.Token);
        await Task.WhenAny(signalled, timeout);
        await linked.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
