using Proactive.Notifier.Replies;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Tests.Replies;

/// <summary>The replies' rows and the lookup of who is behind a number, on SQLite.</summary>
public sealed class ReplyStoreOnSqlite : ReplyStoreTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class ReplyStoreOnPostgres : ReplyStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

public abstract class ReplyStoreTests : NotifierDatabaseTests
{
    private const string Number = "+821012345678";
    private static readonly DateTimeOffset Now = News.Now;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CustomerReply Reply(string sid, DateTimeOffset at, string? order = "A-1001", string body = "where is it?") =>
        new($"twilio:{sid}", "twilio", sid, Channel.Sms, Number, order is null ? null : "C-77", order, order is null ? null : $"{order}/delay-1/1/sms", body, at);

    private Task<bool> AddAsync(CustomerReply reply) => Store.InTransactionAsync(s => s.Replies.AddAsync(reply), Ct);

    /// <summary>A notice to <paramref name="recipient"/> on <paramref name="channel"/>, sent at <paramref name="sentAt"/> (null: still waiting).</summary>
    private async Task NoticeAsync(string order, string customer, string recipient, DateTimeOffset? sentAt, Channel channel = Channel.Sms)
    {
        var news = News.Detected() with { OrderId = order, EpisodeId = $"{order}/delay-1" };
        var notice = News.Told(news, channel, Now, NoticeStatus.Pending) with
        {
            Attempts = 0,
            ProviderMessageId = null,
            Recipient = recipient,
            CustomerId = customer,
            News = news,
        };
        (await Store.ApplyAsync(NoticeLifecycle.Decide(notice), Ct)).ShouldBeTrue();
        if (sentAt is { } at)
        {
            var claim = NoticeLifecycle.Claim(notice, at);
            (await Store.ApplyAsync(claim, Ct)).ShouldBeTrue();
            (await Store.ApplyAsync(NoticeLifecycle.Accept(claim.After, at, $"SM-{order}"), Ct)).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task AReplyIsStoredOncePerProviderMessageAndReadBackWhole()
    {
        var reply = Reply("SM1", Now, body: "배송 언제 와요? 😀 \"quoted\" <b>");

        (await AddAsync(reply)).ShouldBeTrue();
        (await AddAsync(reply with { ReplyId = "other", Body = "changed" })).ShouldBeFalse();

        (await Store.ReadAsync(r => r.RepliesForOrderAsync("A-1001"), Ct)).ShouldBe([reply]);
        (await Store.ReadAsync(r => r.RepliesForOrderAsync("A-1002"), Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task RepliesSinceAreOldestFirstAndACursorContinuesAfterTiesWithoutLossOrRepeat()
    {
        var replies = new[]
        {
            Reply("SM3", Now), Reply("SM1", Now), Reply("SM2", Now.AddMilliseconds(1)), Reply("SM0", Now.AddMinutes(1), order: null), Reply("SM9", Now.AddMinutes(-1)),
        };
        foreach (var reply in replies)
        {
            await AddAsync(reply);
        }

        var read = new List<string>();
        ReplyCursor? after = null;
        while (await Store.ReadAsync(r => r.RepliesSinceAsync(Now, after, 2), Ct) is { Count: > 0 } page)
        {
            read.AddRange(page.Select(r => r.ProviderMessageId));
            after = new ReplyCursor(page[^1].ReceivedAt, page[^1].ReplyId);
        }

        read.ShouldBe(["SM1", "SM3", "SM2", "SM0"]);
        (await Store.ReadAsync(r => r.RepliesSinceAsync(Now.AddMinutes(-2), null, 10), Ct)).Count.ShouldBe(5);
        (await Store.ReadAsync(r => r.RepliesSinceAsync(Now.AddMinutes(2), null, 10), Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ANumberLeadsToEveryCustomerTextedThereAndTheLatestSmsSentThere()
    {
        await NoticeAsync("A-1", "C-1", Number, Now.AddHours(-3));
        await NoticeAsync("A-2", "C-1", Number, Now.AddHours(-1));
        await NoticeAsync("A-3", "C-2", Number, sentAt: null);
        await NoticeAsync("A-4", "C-3", "+14155550123", Now);
        await NoticeAsync("A-5", "C-4", Number, Now, Channel.Email);

        var (customers, latest) = await Store.InTransactionAsync(s => s.Notices.SmsRecipientAsync(Number), Ct);

        customers.ShouldBe(["C-1", "C-2"]);
        latest.ShouldNotBeNull().OrderId.ShouldBe("A-2");
        var (nobody, none) = await Store.InTransactionAsync(s => s.Notices.SmsRecipientAsync("+447700900123"), Ct);
        nobody.ShouldBeEmpty();
        none.ShouldBeNull();
    }
}
