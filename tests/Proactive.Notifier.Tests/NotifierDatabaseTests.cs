using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

/// <summary>Tests on Notifier's store in a database of their own: a SQLite file, or a PostgreSQL database (TestPostgres).</summary>
public abstract class NotifierDatabaseTests : IAsyncLifetime
{
    private TestDatabase test = null!;

    protected abstract StoreKind Kind { get; }

    protected Database Database => test.Database;

    protected NoticeStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        test = await TestDatabase.CreateAsync(Kind, NotifierSchema.Migrations);
        Store = new NoticeStore(Database);
    }

    public ValueTask DisposeAsync() => test.DisposeAsync();
}
