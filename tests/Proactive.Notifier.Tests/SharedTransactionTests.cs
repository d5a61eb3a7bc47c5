using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

/// <summary>
/// Notifier's units of work on SQLite (<see cref="NoticeStore.InTransactionAsync{T}"/>): those that
/// queue while a commit is under way share the next transaction, a unit that fails is undone alone,
/// and they go before Tracker's (normal) writes waiting for the one writer.
/// </summary>
public sealed class SharedTransactionTests : NotifierDatabaseTests
{
    private static readonly DateTimeOffset Now = News.Now;
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override StoreKind Kind => StoreKind.Sqlite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NoticeRecord Notice(long sequence) =>
        News.Told(News.Detected(sequence: sequence), Channel.Sms, Now, NoticeStatus.Pending) with { Attempts = 0, SentAt = null, ProviderMessageId = null };

    /// <summary>A unit that stores notice 1 and holds the writer until the test releases it.</summary>
    private async Task<Task<bool>> HoldTheWriterAsync()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Store.InTransactionAsync(
            async s =>
            {
                var stored = await s.Notices.ApplyAsync(NoticeLifecycle.Decide(Notice(1)));
                holding.SetResult();
                await release.Task;
                return stored;
            },
            Ct);
        await holding.Task;
        return first;
    }

    private async Task<List<string>> StoredAsync() =>
        [.. (await Store.ReadAsync(r => r.NoticesForOrderAsync("A-1001"), Ct)).Select(n => n.NoticeId).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task AUnitThatFailsInASharedTransactionIsUndoneAloneAndTheOthersCommit()
    {
        var first = await HoldTheWriterAsync();
        var tries = 0;
        var failing = Store.InTransactionAsync<bool>(
            async s =>
            {
                Interlocked.Increment(ref tries);
                await s.Notices.ApplyAsync(NoticeLifecycle.Decide(Notice(2)));
                throw new InvalidOperationException("this unit breaks");
            },
            Ct);
        var third = Store.InTransactionAsync(s => s.Notices.ApplyAsync(NoticeLifecycle.Decide(Notice(3))), Ct);
        await TestDatabase.WritersWaitingAsync(Database, 2);

        release.SetResult();

        (await first).ShouldBeTrue();
        (await third).ShouldBeTrue();
        (await Should.ThrowAsync<InvalidOperationException>(() => failing)).Message.ShouldBe("this unit breaks");
        tries.ShouldBe(1, "undone in its savepoint, not run again");
        var stored = await StoredAsync();
        stored.ShouldBe(new[] { Notice(1).NoticeId, Notice(3).NoticeId }.Order(StringComparer.Ordinal).ToList(), "the failing unit's insert was rolled back, the others' kept");
    }

    [Fact]
    public async Task NotifiersUnitsGoBeforeNormalWritesWaitingForTheWriter()
    {
        var first = await HoldTheWriterAsync();
        var order = new List<string>();
        var tracker = Database.WriteAsync((_, _) => { order.Add("tracker"); return Task.FromResult(0); }, Ct);
        var notifier = Store.InTransactionAsync(_ => { order.Add("notifier"); return Task.FromResult(0); }, Ct);
        await TestDatabase.WritersWaitingAsync(Database, 2);

        release.SetResult();
        await Task.WhenAll(first, tracker, notifier);

        order.ShouldBe(["notifier", "tracker"]);
    }
}
