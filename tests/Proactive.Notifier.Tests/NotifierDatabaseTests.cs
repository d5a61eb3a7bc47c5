using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

/// <summary>Tests on Notifier's store in a database of their own: a SQLite file, or a PostgreSQL database (TestPostgres).</summary>
public abstract class NotifierDatabaseTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "proactive-tests", Guid.NewGuid().ToString("N"));

    protected abstract StoreKind Kind { get; }

    protected Database Database { get; private set; } = null!;

    protected NoticeStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var connectionString = Kind == StoreKind.Postgres
            ? await TestPostgres.CreateDatabaseAsync()
            : $"Data Source={Path.Combine(directory, "notifier.db")}";
        Database = new Database(connectionString, Kind);
        await Database.MigrateAsync(NotifierSchema.Migrations, TestContext.Current.CancellationToken);
        Store = new NoticeStore(Database);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
