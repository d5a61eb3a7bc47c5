using Proactive.Notifier.Dispatch;

namespace Proactive.Notifier.Tests;

/// <summary>
/// The dispatcher's lanes: one lane's work (a customer's on a channel) one after another in the order
/// started, different lanes side by side up to the concurrency, work added while earlier work runs. Every wait is
/// on a signal the work itself sets, never on time.
/// </summary>
public sealed class SendLanesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OneCustomersWorkRunsInOrderAndNeverTwoAtOnce()
    {
        var lanes = new SendLanes(concurrency: 4);
        var log = new List<string>();
        var firstRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = lanes.Start("A", async () =>
        {
            lock (log)
            {
                log.Add("A1 start");
            }

            firstStarted.SetResult();
            await firstRelease.Task;
            lock (log)
            {
                log.Add("A1 end");
            }
        });
        await firstStarted.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);

        // Added while A1 runs (a later claim round): waits behind it, not beside it.
        _ = lanes.Start("A", () =>
        {
            lock (log)
            {
                log.Add("A2");
            }

            return Task.CompletedTask;
        });
        lanes.Pending.ShouldBe(2);
        lock (log)
        {
            log.ShouldBe(["A1 start"]);
        }

        firstRelease.SetResult();
        await lanes.AllFinishedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
        log.ShouldBe(["A1 start", "A1 end", "A2"]);
        lanes.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task OtherCustomersGoOnWhileOneCustomersSendIsStuck()
    {
        var lanes = new SendLanes(concurrency: 2);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = lanes.Start("A", async () =>
        {
            started.SetResult();
            await stuck.Task;
        });
        await started.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = lanes.Start("B", () =>
        {
            done.SetResult();
            return Task.CompletedTask;
        });
        await done.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        lanes.Pending.ShouldBe(1, "B finished while A is still in flight");

        stuck.SetResult();
        await lanes.AllFinishedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task NoMoreThanTheConcurrencyRunAtOnce(int concurrency)
    {
        var lanes = new SendLanes(concurrency);
        var inFlight = 0;
        var most = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 8; i++)
        {
            _ = lanes.Start($"C-{i}", async () =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                if (now == concurrency)
                {
                    full.TrySetResult();
                }

                await release.Task;
                Interlocked.Decrement(ref inFlight);
            });
        }

        await full.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        Volatile.Read(ref most).ShouldBe(concurrency);
        release.SetResult();
        await lanes.AllFinishedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
        most.ShouldBe(concurrency);
    }

    [Fact]
    public async Task AFailureIsTheWorksOwnAndTheLaneGoesOn()
    {
        var lanes = new SendLanes(concurrency: 1);
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var broken = lanes.Start("A", () => throw new InvalidOperationException("broken"));
        _ = lanes.Start("A", () =>
        {
            next.SetResult();
            return Task.CompletedTask;
        });
        await next.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        await Should.ThrowAsync<InvalidOperationException>(() => broken);
        await lanes.AllFinishedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AnyFinishedCompletesWhenSomeWorkEnds()
    {
        var lanes = new SendLanes(concurrency: 2);
        await lanes.AnyFinishedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken); // nothing pending: at once
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = lanes.Start("A", () => release.Task);
        var finished = lanes.AnyFinishedAsync();
        finished.IsCompleted.ShouldBeFalse();
        release.SetResult();
        await finished.WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
