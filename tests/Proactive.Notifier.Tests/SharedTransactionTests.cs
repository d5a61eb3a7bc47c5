using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Tests;

/// <summary>
/// Group commit of the dispatcher's records on SQLite (<see cref="NoticeStore.InSharedTransactionAsync{T}"/>):
/// units that queue while a commit is under way share the next transaction, and a unit that
/// fails fails alone.
/// </summary>
public sealed class SharedTransactionTests : NotifierDatabaseTests
{
    private static readonly DateTimeOffset Now = News.Now;

    protected override StoreKind Kind => StoreKind.Sqlite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NoticeRecord Notice(long sequence) =>
        News.Told(News.Detected(sequence: sequence), Channel.Sms, Now, NoticeStatus.Pending) with { Attempts = 0, SentAt = null, ProviderMessageId = null };

    /// <summary>The first unit holds the commit until the others have queued behind it.</summary>
    private async Task<(NotifierSession First, NotifierSession Second, NotifierSession Third)> ThreeUnitsAsync(Func<NotifierSession, NoticeRecord, Task<bool>> secondWork)
    {
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        NotifierSession? first = null, second = null, third = null;
        var a = Store.InSharedTransactionAsync(
            async s =>
            {
                first = s;
                holding.SetResult();
                await release.Task;
                return await s.Notices.ApplyAsync(NoticeLifecycle.Decide(Notice(1)));
            },
            Ct);
        await holding.Task;
        var b = Store.InSharedTransactionAsync(s => { second = s; return secondWork(s, Notice(2)); }, Ct);
        var c = Store.InSharedTransactionAsync(s => { third = s; return s.Notices.ApplyAsync(NoticeLifecycle.Decide(Notice(3))); }, Ct);
        release.SetResult();
        (await a).ShouldBeTrue();
        (await c).ShouldBeTrue();
        try
        {
            await b;
        }
        catch (InvalidOperationException)
        {
            // The failing unit's own failure (see below).
        }

        return (first!, second!, third!);
    }

    private async Task<List<string>> StoredAsync() =>
        [.. (await Store.ReadAsync(r => r.NoticesForOrderAsync("A-1001"), Ct)).Select(n => n.NoticeId).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task UnitsQueuedWhileACommitIsUnderWayShareTheNextTransaction()
    {
        var (first, second, third) = await ThreeUnitsAsync((s, notice) => s.Notices.ApplyAsync(NoticeLifecycle.Decide(notice)));

        first.ShouldNotBeSameAs(second, "the first unit committed alone: nothing was queued when it began");
        second.ShouldBeSameAs(third, "the two units that queued meanwhile share one transaction");
        (await StoredAsync()).Count.ShouldBe(3);
    }

    [Fact]
    public async Task AUnitThatFailsInASharedTransactionFailsAloneAndTheOthersCommit()
    {
        var failed = 0;
        var (_, second, third) = await ThreeUnitsAsync(async (s, notice) =>
        {
            await s.Notices.ApplyAsync(NoticeLifecycle.Decide(notice));
            Interlocked.Increment(ref failed);
            throw new InvalidOperationException("this unit breaks");
        });

        failed.ShouldBe(2, "tried in the shared transaction, then alone");
        second.ShouldNotBeSameAs(third, "after the shared transaction failed, each unit ran in its own");
        var stored = await StoredAsync();
        stored.Count.ShouldBe(2, "the first and third notices; the failing unit's insert was rolled back");
        stored.ShouldNotContain(Notice(2).NoticeId);
    }

    [Fact]
    public async Task TheFailingUnitsCallerGetsItsException()
    {
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var a = Store.InSharedTransactionAsync(
            async s =>
            {
                holding.SetResult();
                await release.Task;
                return 1;
            },
            Ct);
        await holding.Task;
        var b = Store.InSharedTransactionAsync<int>(_ => throw new InvalidOperationException("this unit breaks"), Ct);
        var c = Store.InSharedTransactionAsync(_ => Task.FromResult(3), Ct);
        release.SetResult();
        (await a).ShouldBe(1);
        (await Should.ThrowAsync<InvalidOperationException>(() => b)).Message.ShouldBe("this unit breaks");
        (await c).ShouldBe(3);
    }
}
