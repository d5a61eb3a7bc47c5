using Proactive.Notifier.Receipts;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Tests;

/// <summary>Suppressed email addresses on SQLite.</summary>
public sealed class EmailSuppressionStoreOnSqlite : EmailSuppressionStoreTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class EmailSuppressionStoreOnPostgres : EmailSuppressionStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>An address is suppressed once, in lower case, with the first report kept, and found in any case.</summary>
public abstract class EmailSuppressionStoreTests : NotifierDatabaseTests
{
    private static readonly DateTimeOffset Now = News.Now;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAddressIsSuppressedOnceInLowerCaseAndFoundInAnyCase()
    {
        var first = new EmailSuppression("Minji@Example.com", "bounce: 550 user unknown", "sendgrid bounce", "A-1/delay-1/1/email", Now);
        var later = new EmailSuppression("minji@example.com ", "dropped: Bounced Address", "sendgrid dropped", null, Now.AddHours(1));

        (await Store.InTransactionAsync(s => s.EmailSuppressions.AddAsync(first), Ct)).ShouldBeTrue();
        (await Store.InTransactionAsync(s => s.EmailSuppressions.AddAsync(later), Ct)).ShouldBeFalse();
        (await Store.InTransactionAsync(s => s.EmailSuppressions.AddAsync(first with { Address = "alex@example.com", NoticeId = null }), Ct)).ShouldBeTrue();

        var kept = first with { Address = "minji@example.com" };
        (await Store.ReadAsync(r => r.EmailSuppressionAsync(" MINJI@example.COM"), Ct)).ShouldBe(kept);
        (await Store.InTransactionAsync(s => s.EmailSuppressions.FindAsync("minji@example.com"), Ct)).ShouldBe(kept);
        (await Store.ReadAsync(r => r.EmailSuppressionAsync("someone@example.com"), Ct)).ShouldBeNull();
        (await Store.ReadAsync(r => r.EmailSuppressionsAsync(), Ct)).Select(s => s.Address).ShouldBe(["alex@example.com", "minji@example.com"]);
    }
}
