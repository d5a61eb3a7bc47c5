using Proactive.Notifier;
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
    public async Task WorkInSeveralLanesWaitsForEachAndIsWaitedForInEach()
    {
        // A survey takes its customer's lanes on both channels; their other notices take one.
        var lanes = new SendLanes(concurrency: 4);
        var log = new List<string>();
        void Log(string what)
        {
            lock (log)
            {
                log.Add(what);
            }
        }

        var smsRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var smsStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = lanes.Start("Sms:A", async () =>
        {
            Log("A sms start");
            smsStarted.SetResult();
            await smsRelease.Task;
            Log("A sms end");
        });
        await smsStarted.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);

        _ = lanes.Start(["Sms:A", "Email:A"], () =>
        {
            Log("A survey");
            return Task.CompletedTask;
        });
        _ = lanes.Start("Email:A", () =>
        {
            Log("A email");
            return Task.CompletedTask;
        });
        await lanes.Start("Email:B", () =>
        {
            Log("B email");
            return Task.CompletedTask;
        }).WaitAsync(Patience, TestContext.Current.CancellationToken);

        lock (log)
        {
            log.ShouldBe(["A sms start", "B email"], "the survey waits for A's SMS, and A's next email for the survey");
        }

        smsRelease.SetResult();
        await lanes.AllFinishedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
        log.ShouldBe(["A sms start", "B email", "A sms end", "A survey", "A email"]);
        lanes.Pending.ShouldBe(0);
    }

    [Fact]
    public void ANoticeTakesItsCustomersLaneOnItsChannelAndASurveyTheirLanesOnEveryChannel()
    {
        var sms = News.Told(News.Detected(), Channel.Sms, News.Now) with { CustomerId = "C-77" };

        NoticeDispatcher.LanesOf(sms).ShouldBe(["Sms:C-77"]);
        NoticeDispatcher.LanesOf(sms with { Channel = Channel.Email }).ShouldBe(["Email:C-77"]);
        NoticeDispatcher.LanesOf(sms with { Kind = NoticeKind.Survey, Channel = Channel.Email }).ShouldBe(["Sms:C-77", "Email:C-77"],
            "withdrawn if the customer opted out of either channel, which a send on either may have just recorded");
        NoticeDispatcher.LanesOf(sms with { CustomerId = null }).ShouldBe(["Sms:x"]); // no customer id: the recipient's lane
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
