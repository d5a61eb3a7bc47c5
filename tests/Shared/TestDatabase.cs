using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tests.Shared;

/// <summary>
/// A migrated database of a test's own: a SQLite file in a temporary folder, or a fresh PostgreSQL
/// database (<see cref="TestPostgres"/>). Disposing it removes the folder.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string directory;

    private TestDatabase(Database database, string directory)
    {
        Database = database;
        this.directory = directory;
    }

    public Database Database { get; }

    public static async Task<TestDatabase> CreateAsync(StoreKind kind, SchemaMigrations migrations)
    {
        var directory = Directory.CreateTempSubdirectory("proactive-tests").FullName;
        var connectionString = kind == StoreKind.Postgres
            ? await TestPostgres.CreateDatabaseAsync()
            : $"Data Source={Path.Combine(directory, $"{migrations.Module}.db")}";
        var database = new Database(connectionString, kind);
        await database.MigrateAsync(migrations, TestContext.Current.CancellationToken);
        return new TestDatabase(database, directory);
    }

    /// <summary>Until <paramref name="count"/> units of work wait for SQLite's writer (they queue as soon as they are called).</summary>
    public static async Task WritersWaitingAsync(Database database, int count)
    {
        for (var tries = 0; database.WritersWaiting < count; tries++)
        {
            tries.ShouldBeLessThan(1_000_000, $"{count} units never queued for the writer");
            await Task.Yield();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
