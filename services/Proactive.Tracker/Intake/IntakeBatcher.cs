using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Intake;

/// <summary>
/// Group commit: each delivery (a single event, a Dapr bulk delivery, a standalone batch) is queued
/// and its caller waits; a consumer takes whole deliveries, as many as are queued up to MaxBatch
/// events (without waiting for more when it finds the queue idle), hands their events to
/// <see cref="OrderTracker.HandleBatchAsync"/> in one call and answers every waiter after that call
/// returned — so an answer still means committed. While one batch commits, the next one fills. A
/// throw (store unavailable, stopping) fails exactly the waiters of that batch.
/// </summary>
public sealed class IntakeBatcher : IHostedService, IDisposable
{
    public const string BatchSizeInstrument = "proactive.tracker.intake.batch.size";

    private readonly Channel<Pending> queue;
    private readonly Commit commit;
    private readonly int consumers;
    private readonly int maxBatch;
    private readonly CancellationTokenSource stopping = new();
    private readonly Histogram<long>? batchSize;
    private Task[] running = [];
    private long commits;
    private long events;
    private long inFlight;

    public IntakeBatcher(Commit commit, int consumers, IntakeOptions options, IMeterFactory? meters = null)
    {
        this.commit = commit;
        this.consumers = consumers;
        maxBatch = options.MaxBatch;
        queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = consumers == 1,
        });
        batchSize = meters?.Create(TrackerMetrics.MeterName).CreateHistogram<long>(
            BatchSizeInstrument, "{event}", "Single deliveries committed together by one group commit.");
    }

    /// <summary>What a batch is handed to: <see cref="OrderTracker.HandleBatchAsync"/> (tests give their own).</summary>
    public delegate Task<IReadOnlyList<BatchEntryResult>> Commit(IReadOnlyList<InboundEvent> events, CancellationToken cancellationToken, string messagingSystem);

    /// <summary>Calls of <see cref="OrderTracker.HandleBatchAsync"/> that returned (each one commit of the events it held).</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>Events answered by those calls.</summary>
    public long Events => Interlocked.Read(ref events);

    /// <summary>Deliveries queued and not yet taken by a consumer.</summary>
    public int Queued => queue.Reader.Count;

    /// <summary>Events taken by a consumer whose commit has not returned yet.</summary>
    public long InFlight => Interlocked.Read(ref inFlight);

    /// <summary>
    /// Handles one event in a shared commit and answers once it is committed; throws what the
    /// commit threw (the store unavailable, or <see cref="IntakeStoppedException"/>).
    /// </summary>
    public async Task<BatchEntryResult> HandleAsync(InboundEvent e, CancellationToken cancellationToken, string messagingSystem = "http") =>
        (await HandleManyAsync([e], cancellationToken, messagingSystem))[0];

    /// <summary>
    /// Handles a delivery of many events (a Dapr bulk delivery, a standalone batch) in a shared
    /// commit, never split between two; one result per event, in order, once committed.
    /// </summary>
    public async Task<IReadOnlyList<BatchEntryResult>> HandleManyAsync(IReadOnlyList<InboundEvent> delivery, CancellationToken cancellationToken, string messagingSystem = "http")
    {
        if (delivery.Count == 0)
        {
            return [];
        }

        var pending = new Pending(delivery, messagingSystem, new TaskCompletionSource<IReadOnlyList<BatchEntryResult>>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Stopped: no consumer takes it any more, so it is handled on its own, as before group commit.
            return await commit(delivery, cancellationToken, messagingSystem);
        }

        return await pending.Answer.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        running = [.. Enumerable.Range(0, consumers).Select(_ => Task.Run(ConsumeAsync, CancellationToken.None))];
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes no more events and commits those queued; when <paramref name="cancellationToken"/>
    /// fires first (the host's shutdown timeout), the commit in flight is cancelled and every
    /// waiter left is failed with <see cref="IntakeStoppedException"/> — none is left hanging.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        using var registration = cancellationToken.Register(stopping.Cancel);
        await Task.WhenAll(running);
    }

    public void Dispose() => stopping.Dispose();

    private async Task ConsumeAsync()
    {
        var reader = queue.Reader;
        var batch = new List<Pending>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // Whole deliveries, until they hold MaxBatch events (a larger delivery goes alone).
            var taken = 0;
            while (taken < maxBatch && (batch.Count == 0 || taken + Peek(reader) <= maxBatch) && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                taken += pending.Events.Count;
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        // One host has one messaging system, so this is one group but for tests and odd hosts.
        foreach (var group in batch.GroupBy(p => p.MessagingSystem))
        {
            var waiters = group.ToList();
            var count = waiters.Sum(p => p.Events.Count);
            Interlocked.Add(ref inFlight, count);
            try
            {
                stopping.Token.ThrowIfCancellationRequested();
                var results = await commit([.. waiters.SelectMany(p => p.Events)], stopping.Token, group.Key);
                if (results.Count != count)
                {
                    throw new InvalidOperationException($"A batch of {count} events was answered with {results.Count} results.");
                }

                Interlocked.Increment(ref commits);
                Interlocked.Add(ref events, count);
                batchSize?.Record(count);
                var at = 0;
                foreach (var waiter in waiters)
                {
                    waiter.Answer.TrySetResult(results.Skip(at).Take(waiter.Events.Count).ToArray());
                    at += waiter.Events.Count;
                }
            }
            catch (Exception e)
            {
                var failure = e is OperationCanceledException && stopping.IsCancellationRequested ? new IntakeStoppedException(e) : e;
                foreach (var waiter in waiters)
                {
                    waiter.Answer.TrySetException(failure);
                }
            }
            finally
            {
                Interlocked.Add(ref inFlight, -count);
            }
        }
    }

    /// <summary>Events in the next delivery queued (0 when none).</summary>
    private static int Peek(ChannelReader<Pending> reader) => reader.TryPeek(out var next) ? next.Events.Count : 0;

    private sealed record Pending(IReadOnlyList<InboundEvent> Events, string MessagingSystem, TaskCompletionSource<IReadOnlyList<BatchEntryResult>> Answer);
}

/// <summary>
/// Tracker stopped before the event was committed: nothing of it was stored, deliver it again.
/// A <see cref="TimeoutException"/>, so callers class it with the store being unavailable
/// (Dapr RETRY, HTTP 503), never as the event's own failure.
/// </summary>
public sealed class IntakeStoppedException(Exception inner)
    : TimeoutException("Tracker stopped before the event was stored; deliver it again.", inner);
