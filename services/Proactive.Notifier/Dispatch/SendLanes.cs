namespace Proactive.Notifier.Dispatch;

/// <summary>
/// The dispatcher's sends in flight: one lane per key (the dispatcher's is a customer on a channel),
/// so a lane's sends go one after another in the order they were started (a send's outcome, such as
/// an opt-out, counts for the next one), and at most <c>concurrency</c> sends of different lanes at once. Work
/// can be added while earlier work runs: a notice claimed in a later round joins its
/// lane behind the one still in flight instead of waiting for the whole earlier round.
/// </summary>
public sealed class SendLanes(int concurrency)
{
    private readonly SemaphoreSlim slots = new(concurrency, concurrency);
    private readonly Dictionary<string, Task> tails = [];
    private readonly HashSet<Task> running = [];
    private readonly object gate = new();
    private TaskCompletionSource finished = NewSignal();

    /// <summary>Work started and not yet done (waiting in its lane, waiting for a slot, or running).</summary>
    public int Pending
    {
        get
        {
            lock (gate)
            {
                return running.Count;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> after everything started earlier in <paramref name="lane"/>,
    /// once one of the slots is free. A failure of the work is its own (the caller handles it
    /// inside <paramref name="work"/>); it never stops the lane. Returns the work's task (in its lane).
    /// </summary>
    public Task Start(string lane, Func<Task> work) => Start([lane], work);

    /// <summary>
    /// <see cref="Start(string, Func{Task})"/> in several lanes at once: the work waits for what was
    /// started earlier in each of them, and what is started in any of them later waits for it.
    /// </summary>
    public Task Start(IReadOnlyCollection<string> lanes, Func<Task> work)
    {
        lock (gate)
        {
            var before = Task.WhenAll(lanes.Select(lane => tails.GetValueOrDefault(lane) ?? Task.CompletedTask));
            var task = RunAfterAsync(before, work);
            foreach (var lane in lanes)
            {
                tails[lane] = task;
            }

            running.Add(task);
            _ = task.ContinueWith(t => Done(lanes, t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return task;
        }
    }

    /// <summary>Completes when some work finishes after this call (at once when nothing is pending).</summary>
    public Task AnyFinishedAsync()
    {
        lock (gate)
        {
            return running.Count == 0 ? Task.CompletedTask : finished.Task;
        }
    }

    /// <summary>
    /// Completes when every piece of work started so far is done, failed or not: a failure is the
    /// work's own, carried to its caller by the task <see cref="Start"/> returned.
    /// </summary>
    public async Task AllFinishedAsync()
    {
        Task all;
        lock (gate)
        {
            all = Task.WhenAll(running);
        }

        try
        {
            await all;
        }
        catch
        {
            // Each failure reaches the caller that started the work.
        }
    }

    private async Task RunAfterAsync(Task before, Func<Task> work)
    {
        try
        {
            await before;
        }
        catch
        {
            // An earlier send in the lane failed on its own: the next one still goes.
        }

        await slots.WaitAsync();
        try
        {
            await work();
        }
        finally
        {
            slots.Release();
        }
    }

    private void Done(IReadOnlyCollection<string> lanes, Task task)
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            running.Remove(task);
            foreach (var lane in lanes)
            {
                if (tails.TryGetValue(lane, out var tail) && tail == task)
                {
                    tails.Remove(lane);
                }
            }

            signal = finished;
            finished = NewSignal();
        }

        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
