using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Tracker.Events;
using Proactive.Tracker.Intake;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

/// <summary>
/// The group commit on its own, with a commit the test holds open: what queues behind a commit in
/// flight goes into the next one, a throw fails exactly its batch, and stopping never leaves a
/// caller waiting.
/// </summary>
public sealed class IntakeBatcherTests : IAsyncDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentQueue<string[]> commits = new();
    private readonly TaskCompletionSource firstCommitEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IntakeBatcher? batcher;

    public async ValueTask DisposeAsync()
    {
        release.TrySetResult();
        if (batcher is not null)
        {
            await batcher.StopAsync(CancellationToken.None);
            batcher.Dispose();
        }
    }

    private static InboundEvent Event(string id) => Events.Valid(OrderPlaced($"O-{id}", At, At.AddDays(3), id: id));

    /// <summary>A batcher whose commit records each batch, holds the first one until released, and throws on an event named "bad".</summary>
    private async Task<IntakeBatcher> StartAsync(int maxBatch = 256, IMeterFactory? meters = null)
    {
        batcher = new IntakeBatcher(
            async (events, ct, system) =>
            {
                var ids = events.Select(e => e.Id).ToArray();
                if (firstCommitEntered.TrySetResult())
                {
                    await release.Task.WaitAsync(ct);
                }

                commits.Enqueue(ids);
                if (ids.Contains("bad"))
                {
                    throw new TimeoutException("the store is unavailable");
                }

                return [.. events.Select(e => new BatchEntryResult(e.Id.StartsWith("dup", StringComparison.Ordinal) ? IngestOutcome.Duplicate : IngestOutcome.Accepted))];
            },
            consumers: 1,
            new IntakeOptions { MaxBatch = maxBatch, QueueCapacity = 1000 },
            meters);
        await batcher.StartAsync(CancellationToken.None);
        return batcher;
    }

    [Fact]
    public async Task SingleEventsQueuedBehindACommitInFlightShareTheNextCommit()
    {
        var intake = await StartAsync();
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;

        var rest = Enumerable.Range(1, 99).Select(n => intake.HandleAsync(Event(n % 10 == 0 ? $"dup-{n}" : $"e-{n}"), TestContext.Current.CancellationToken)).ToList();
        intake.Queued.ShouldBe(99);
        first.IsCompleted.ShouldBeFalse("answered before its commit returned");
        release.SetResult();

        (await first).Outcome.ShouldBe(IngestOutcome.Accepted);
        var answers = await Task.WhenAll(rest);
        answers.Count(a => a.Outcome == IngestOutcome.Duplicate).ShouldBe(9);
        commits.Select(c => c.Length).ShouldBe([1, 99]);
        commits.SelectMany(c => c).ShouldBe(Enumerable.Range(0, 100).Select(n => n > 0 && n % 10 == 0 ? $"dup-{n}" : $"e-{n}"));
        (intake.Commits, intake.Events).ShouldBe((2, 100));
    }

    [Fact]
    public async Task EachCommitsSizeIsRecordedInTheBatchSizeHistogram()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sizes = new ConcurrentQueue<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TrackerMetrics.MeterName && instrument.Name == IntakeBatcher.BatchSizeInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, size, _, _) => sizes.Enqueue(size));
        listener.Start();
        var intake = await StartAsync(meters: services.GetRequiredService<IMeterFactory>());
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;
        var rest = Enumerable.Range(1, 5).Select(n => intake.HandleAsync(Event($"e-{n}"), TestContext.Current.CancellationToken)).ToList();
        release.SetResult();

        await first;
        await Task.WhenAll(rest);
        sizes.ShouldBe([1, 5]);
    }

    [Fact]
    public async Task NoCommitTakesMoreThanMaxBatch()
    {
        var intake = await StartAsync(maxBatch: 4);
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;
        var rest = Enumerable.Range(1, 10).Select(n => intake.HandleAsync(Event($"e-{n}"), TestContext.Current.CancellationToken)).ToList();
        release.SetResult();

        await first;
        await Task.WhenAll(rest);
        commits.Select(c => c.Length).ShouldBe([1, 4, 4, 2]);
    }

    [Fact]
    public async Task BulkDeliveriesShareCommitsWholeAndEachGetsItsOwnAnswersInOrder()
    {
        var intake = await StartAsync(maxBatch: 5);
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;

        var a = intake.HandleManyAsync([Event("a-1"), Event("dup-a-2"), Event("a-3")], TestContext.Current.CancellationToken);
        var b = intake.HandleManyAsync([Event("dup-b-1"), Event("b-2"), Event("b-3")], TestContext.Current.CancellationToken);
        var c = intake.HandleAsync(Event("dup-c-1"), TestContext.Current.CancellationToken);
        var big = intake.HandleManyAsync([.. Enumerable.Range(1, 7).Select(n => Event($"big-{n}"))], TestContext.Current.CancellationToken);
        intake.Queued.ShouldBe(4);
        release.SetResult();

        await first;
        (await a).Select(r => r.Outcome).ShouldBe([IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Accepted]);
        (await b).Select(r => r.Outcome).ShouldBe([IngestOutcome.Duplicate, IngestOutcome.Accepted, IngestOutcome.Accepted]);
        (await c).Outcome.ShouldBe(IngestOutcome.Duplicate);
        (await big).Count.ShouldBe(7);

        // a (3) fills the batch so that b (3) does not fit; b and c share one; the delivery larger
        // than MaxBatch goes alone, never split.
        commits.Select(x => x.Length).ShouldBe([1, 3, 4, 7]);
        commits.ElementAt(2).ShouldBe(["dup-b-1", "b-2", "b-3", "dup-c-1"]);
        (intake.Commits, intake.Events).ShouldBe((4, 15));
    }

    [Fact]
    public async Task ACommitThatThrowsFailsExactlyTheWaitersOfItsBatch()
    {
        var intake = await StartAsync(maxBatch: 2);
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;
        var failing = new[] { intake.HandleAsync(Event("bad"), TestContext.Current.CancellationToken), intake.HandleAsync(Event("e-1"), TestContext.Current.CancellationToken) };
        var after = intake.HandleAsync(Event("e-2"), TestContext.Current.CancellationToken);
        release.SetResult();

        (await first).Failed.ShouldBeFalse();
        foreach (var waiter in failing)
        {
            (await Should.ThrowAsync<TimeoutException>(waiter)).Message.ShouldBe("the store is unavailable");
        }

        (await after).Failed.ShouldBeFalse();
        commits.ShouldBe([["e-0"], ["bad", "e-1"], ["e-2"]]);
    }

    [Fact]
    public async Task AnItemFailureReachesOnlyItsOwnWaiter()
    {
        var failure = new FormatException("promisedBy is not a time");
        batcher = new IntakeBatcher(
            (events, _, _) => Task.FromResult<IReadOnlyList<BatchEntryResult>>([.. events.Select(e => e.Id == "poison" ? new BatchEntryResult(IngestOutcome.Accepted, failure) : new BatchEntryResult(IngestOutcome.Accepted))]),
            consumers: 1,
            new IntakeOptions());
        await batcher.StartAsync(CancellationToken.None);

        var answers = await Task.WhenAll(batcher.HandleAsync(Event("ok-1"), TestContext.Current.CancellationToken), batcher.HandleAsync(Event("poison"), TestContext.Current.CancellationToken), batcher.HandleAsync(Event("ok-2"), TestContext.Current.CancellationToken));

        answers.Select(a => a.Failure).ShouldBe([null, failure, null]);
    }

    [Fact]
    public async Task StoppingCommitsWhatIsQueuedThenHandlesLateEventsOnTheirOwn()
    {
        var intake = await StartAsync();
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;
        var queued = intake.HandleAsync(Event("e-1"), TestContext.Current.CancellationToken);

        var stopped = intake.StopAsync(CancellationToken.None);
        stopped.IsCompleted.ShouldBeFalse("stopped with a commit in flight");
        release.SetResult();
        await stopped;

        (await first).Failed.ShouldBeFalse();
        (await queued).Failed.ShouldBeFalse();
        (await intake.HandleAsync(Event("late"), TestContext.Current.CancellationToken)).Failed.ShouldBeFalse();
        commits.ShouldBe([["e-0"], ["e-1"], ["late"]]);
        intake.Commits.ShouldBe(2, "the late event was handled on its own, not by a consumer");
    }

    [Fact]
    public async Task StoppingPastTheShutdownTimeoutFailsEveryWaiterLeftAsStopped()
    {
        var intake = await StartAsync();
        var first = intake.HandleAsync(Event("e-0"), TestContext.Current.CancellationToken);
        await firstCommitEntered.Task;
        var queued = new[] { intake.HandleAsync(Event("e-1"), TestContext.Current.CancellationToken), intake.HandleAsync(Event("e-2"), TestContext.Current.CancellationToken) };
        using var timeout = new CancellationTokenSource();

        var stopped = intake.StopAsync(timeout.Token);
        await timeout.CancelAsync();
        await stopped;

        foreach (var waiter in queued.Prepend(first))
        {
            (await Should.ThrowAsync<IntakeStoppedException>(waiter)).ShouldBeAssignableTo<TimeoutException>();
        }

        commits.ShouldBeEmpty();
    }

    [Fact]
    public void TheOptionsNameEachKeyAtFault()
    {
        new IntakeOptions().Problems().ShouldBeEmpty();
        new IntakeOptions { MaxBatch = 0, Consumers = 0, QueueCapacity = -1 }.Problems().ShouldBe(
        [
            "Proactive:Tracker:Intake:MaxBatch must be positive",
            "Proactive:Tracker:Intake:Consumers must be positive",
            "Proactive:Tracker:Intake:QueueCapacity must be positive",
        ]);
    }
}
