using Dapper;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

/// <summary>The notices' store on SQLite.</summary>
public sealed class NoticeStoreOnSqlite : NoticeStoreTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class NoticeStoreOnPostgres : NoticeStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>What the store persists of the lifecycle's changes: fences, the due condition, withdrawn notices' failures.</summary>
public abstract class NoticeStoreTests : NotifierDatabaseTests
{
    private static readonly DateTimeOffset Now = News.Now;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly Dictionary<Channel, int> Any = new() { [Channel.Sms] = 50, [Channel.Email] = 50 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<NoticeRecord> AddAsync(long sequence, NoticeStatus status, DateTimeOffset? scheduledAt, Channel channel = Channel.Sms)
    {
        var news = News.Detected(sequence: sequence);
        var notice = News.Told(news, channel, Now, status) with
        {
            Attempts = 0,
            SentAt = null,
            ProviderMessageId = null,
            ScheduledAt = scheduledAt,
            CustomerId = "C-77",
            News = news,
        };
        (await Store.ApplyAsync(NoticeLifecycle.Decide(notice), Ct)).ShouldBeTrue();
        return notice;
    }

    private async Task<NoticeRecord> StoredAsync(string noticeId) =>
        (await Store.ReadAsync(r => r.NoticesForOrderAsync("A-1001"), Ct)).Single(n => n.NoticeId == noticeId);

    [Fact]
    public async Task ClaimsQueueStatsAndNextDueAgreeOnWhatIsDue()
    {
        var claimed = await AddAsync(1, NoticeStatus.Pending, Now.AddMinutes(-5));
        await Store.ClaimDueAsync(Now, Lease, Any, Ct);
        var due = await AddAsync(2, NoticeStatus.Pending, Now.AddMinutes(-1));
        await AddAsync(3, NoticeStatus.Deferred, Now.AddHours(1));
        await AddAsync(4, NoticeStatus.Suppressed, null);

        // At Now the claim still holds its lease; two minutes later it has lapsed.
        var stillHeld = await StoredAsync(claimed.NoticeId);
        stillHeld.Status.ShouldBe(NoticeStatus.Sending);
        (await Store.QueueStatsAsync(Now, Ct)).ShouldBe((1L, TimeSpan.FromMinutes(1)));
        (await Store.NextDueAsync(Channel.Sms, Ct)).ShouldBe(Now.AddMinutes(-1));
        (await Store.QueueStatsAsync(Now + Lease, Ct)).Due.ShouldBe(2);

        var retaken = await Store.ClaimDueAsync(Now + Lease, Lease, Any, Ct);

        retaken.Select(n => (n.NoticeId, n.Status, n.Attempts)).ShouldBe(
            [(due.NoticeId, NoticeStatus.Sending, 1), (claimed.NoticeId, NoticeStatus.Sending, 2)], ignoreOrder: true);
        retaken.Single(n => n.NoticeId == claimed.NoticeId).ClaimedFrom.ShouldBe(NoticeStatus.Pending);
        (await Store.QueueStatsAsync(Now + Lease, Ct)).Due.ShouldBe(0);
        (await Store.NextDueAsync(Channel.Sms, Ct)).ShouldBe(Now + Lease + Lease);
    }

    [Fact]
    public async Task EveryPartOfAUnitOfWorkWorksInsideItsTransaction()
    {
        await AddAsync(1, NoticeStatus.Pending, Now.AddMinutes(-1));

        var (stats, next) = await Store.InTransactionAsync(
            async s => (await s.Queue.StatsAsync(Now, Ct), await s.Queue.NextDueAsync(Channel.Sms, Ct)), Ct);

        stats.ShouldBe((1L, TimeSpan.FromMinutes(1)));
        next.ShouldBe(Now.AddMinutes(-1));
    }

    [Fact]
    public async Task ASettleFromAClaimThatWasTakenOverChangesNothing()
    {
        var notice = await AddAsync(1, NoticeStatus.Pending, Now);
        var stale = (await Store.ClaimDueAsync(Now, Lease, Any, Ct)).Single();
        var current = (await Store.ClaimDueAsync(Now + Lease, Lease, Any, Ct)).Single();

        (await Store.ApplyAsync(NoticeLifecycle.Accept(stale, Now, "SM-stale"), Ct)).ShouldBeFalse();
        (await Store.ApplyAsync(NoticeLifecycle.GiveBack(stale), Ct)).ShouldBeFalse();
        var held = await StoredAsync(notice.NoticeId);
        (held.Status, held.Attempts, held.ProviderMessageId).ShouldBe((NoticeStatus.Sending, 2, null));

        (await Store.ApplyAsync(NoticeLifecycle.Accept(current, Now + Lease, "SM1"), Ct)).ShouldBeTrue();
        var sent = await StoredAsync(notice.NoticeId);
        (sent.Status, sent.SentAt, sent.ProviderMessageId, sent.Attempts).ShouldBe((NoticeStatus.Sent, Now + Lease, "SM1", 2));
        (await Store.ReadAsync(r => r.AttemptsForOrderAsync("A-1001"), Ct)).Select(a => (a.Attempt, a.Outcome)).ShouldBe([(1, "sent"), (2, "sent")]);
    }

    [Fact]
    public async Task AGiveBackRestoresTheNoticeAsItWasBeforeTheClaim()
    {
        var deferred = await AddAsync(1, NoticeStatus.Deferred, Now.AddMinutes(-1));
        var claimed = (await Store.ClaimDueAsync(Now, Lease, Any, Ct)).Single();

        (await Store.ApplyAsync(NoticeLifecycle.GiveBack(claimed), Ct)).ShouldBeTrue();

        var back = await StoredAsync(deferred.NoticeId);
        (back.Status, back.Attempts, back.FirstAttemptAt, back.ScheduledAt).ShouldBe((NoticeStatus.Deferred, 0, null, deferred.ScheduledAt));
        (await Store.QueueStatsAsync(Now, Ct)).Due.ShouldBe(1);
    }

    [Fact]
    public async Task ARewriteOutlivesTheGiveBackOfItsClaim()
    {
        var notice = await AddAsync(1, NoticeStatus.Pending, Now);
        var claimed = (await Store.ClaimDueAsync(Now, Lease, Any, Ct)).Single();

        (await Store.ApplyAsync(NoticeLifecycle.Rewrite(claimed, "en-US", new Messages.RenderedMessage(null, "new text", null)), Ct)).ShouldBeTrue();
        (await Store.ApplyAsync(NoticeLifecycle.GiveBack(claimed), Ct)).ShouldBeTrue();

        var back = await StoredAsync(notice.NoticeId);
        (back.Status, back.Attempts, back.Locale, back.Text).ShouldBe((NoticeStatus.Pending, 0, "en-US", "new text"));
    }

    [Fact]
    public async Task NewsThatComesAfterAClaimCannotWithdrawTheClaimedNotice()
    {
        var pending = await AddAsync(1, NoticeStatus.Pending, Now);
        await Store.ClaimDueAsync(Now, Lease, Any, Ct);

        (await Store.ApplyAsync(NoticeLifecycle.Withdraw(pending, "replaced"), Ct)).ShouldBeFalse();

        (await StoredAsync(pending.NoticeId)).Status.ShouldBe(NoticeStatus.Sending);
    }

    [Fact]
    public async Task AWithdrawnNoticeTakesItsFailuresWithIt()
    {
        var pending = await AddAsync(1, NoticeStatus.Pending, Now);
        var other = await AddAsync(2, NoticeStatus.Pending, Now);
        await Database.WriteAsync((c, tx) => c.ExecuteAsync(
            $"""
            INSERT INTO {ItemFailures.Table} (queue, item_key, order_id, attempts, first_failed_at, last_failed_at, next_attempt_at, error)
            VALUES ('{NoticeStore.DispatchQueue}', @a, 'A-1001', 1, 0, 0, 0, 'boom'), ('{NoticeStore.DispatchQueue}', @b, 'A-1001', 1, 0, 0, 0, 'boom')
            """,
            new { a = pending.NoticeId, b = other.NoticeId },
            tx), Ct);

        await Store.ApplyAsync(NoticeLifecycle.Withdraw(pending, "replaced"), Ct);

        var failing = await Database.ReadAsync(c => c.QueryAsync<string>($"SELECT item_key FROM {ItemFailures.Table}"), Ct);
        failing.ShouldBe([other.NoticeId]);
        var withdrawn = await StoredAsync(pending.NoticeId);
        (withdrawn.Status, withdrawn.Why, withdrawn.ScheduledAt).ShouldBe((NoticeStatus.Suppressed, "replaced", null));
    }
}
