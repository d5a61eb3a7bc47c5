namespace Proactive.ServiceDefaults.Storage;

/// <summary>Who goes first at SQLite's one writer when several wait.</summary>
public enum WritePriority
{
    /// <summary>Bulk work that is measured in events per second: intake, sweeps, bookkeeping.</summary>
    Normal,

    /// <summary>
    /// Small writes a customer's notice waits for (Notifier's decisions, claims and outcomes): they go
    /// before every normal write waiting, so a notice waits for the commit in progress, not also for
    /// the intake commit queued behind it.
    /// </summary>
    Urgent,
}

/// <summary>
/// SQLite's one writer as an async lock with two queues: an urgent waiter is let in before any
/// normal one, each queue in arrival order. So that a steady stream of urgent work cannot hold
/// normal work back for ever, a normal waiter is let in after <see cref="UrgentInARow"/> urgent
/// ones in a row while it waited. A waiter whose cancellation fires before it is let in leaves its
/// queue; one let in holds the gate until <see cref="Exit"/>.
/// </summary>
public sealed class WriteGate
{
    /// <summary>Urgent waiters let in one after another, normal ones waiting, before a normal one goes.</summary>
    public const int UrgentInARow = 8;

    private readonly Lock sync = new();
    private readonly LinkedList<TaskCompletionSource> urgent = new();
    private readonly LinkedList<TaskCompletionSource> normal = new();
    private bool held;
    private int urgentInARow;

    /// <summary>Callers waiting to be let in (diagnostics, tests).</summary>
    public int Waiting
    {
        get
        {
            lock (sync)
            {
                return urgent.Count + normal.Count;
            }
        }
    }

    /// <summary>Waits until this caller holds the gate (then it must call <see cref="Exit"/>).</summary>
    public async Task EnterAsync(WritePriority priority, CancellationToken cancellationToken = default)
    {
        LinkedListNode<TaskCompletionSource> waiter;
        lock (sync)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!held)
            {
                held = true;
                return;
            }

            waiter = (priority == WritePriority.Urgent ? urgent : normal)
                .AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        using (cancellationToken.UnsafeRegister(_ => Leave(waiter, cancellationToken), null))
        {
            await waiter.Value.Task;
        }
    }

    /// <summary>Lets the next waiter in (urgent first), or opens the gate when none waits.</summary>
    public void Exit()
    {
        TaskCompletionSource next;
        lock (sync)
        {
            var queue = urgent.Count > 0 && (normal.Count == 0 || urgentInARow < UrgentInARow) ? urgent
                : normal.Count > 0 ? normal
                : null;
            if (queue is null)
            {
                held = false;
                urgentInARow = 0;
                return;
            }

            urgentInARow = queue == normal ? 0 : normal.Count > 0 ? urgentInARow + 1 : urgentInARow;
            next = queue.First!.Value;
            queue.RemoveFirst();
        }

        // The gate stays held: it passes to the waiter.
        next.SetResult();
    }

    private void Leave(LinkedListNode<TaskCompletionSource> waiter, CancellationToken cancellationToken)
    {
        lock (sync)
        {
            // Already let in (removed from its queue): it holds the gate and will exit.
            if (waiter.List is not { } queue)
            {
                return;
            }

            queue.Remove(waiter);
        }

        waiter.Value.SetCanceled(cancellationToken);
    }
}
