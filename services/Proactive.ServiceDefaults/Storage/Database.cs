using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// The service's store. SQLite allows one writer at a time, so writes queue on a gate here rather
/// than fail with SQLITE_BUSY; reads run beside them (WAL).
/// </summary>
public sealed class Database
{
    public const string DefaultConnectionString = "Data Source=data/proactive.db";

    private readonly SemaphoreSlim writeGate = new(1, 1);

    public Database(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        builder.ForeignKeys = true;
        ConnectionString = builder.ToString();
    }

    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction; commits when it returns.</summary>
    public async Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            writeGate.Release();
        }
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await work(connection);
    }

    /// <summary>Applies the migrations of one module that this database has not seen yet, in order.</summary>
    public async Task MigrateAsync(SchemaMigrations migrations, CancellationToken cancellationToken = default)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            // WAL lets readers run beside the one writer; it is a property of the file, set once.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
        }

        await WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        module TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        applied_at TEXT NOT NULL,
                        PRIMARY KEY (module, version))
                    """,
                    transaction: transaction);
                var applied = (await connection.QueryAsync<long>(
                    "SELECT version FROM schema_migrations WHERE module = @Module",
                    new { migrations.Module },
                    transaction)).ToHashSet();
                for (var i = 0; i < migrations.Steps.Count; i++)
                {
                    var version = i + 1;
                    if (applied.Contains(version))
                    {
                        continue;
                    }

                    await connection.ExecuteAsync(migrations.Steps[i], transaction: transaction);
                    await connection.ExecuteAsync(
                        "INSERT INTO schema_migrations (module, version, applied_at) VALUES (@Module, @Version, @At)",
                        new { migrations.Module, Version = version, At = DateTimeOffset.UtcNow.ToString("O") },
                        transaction);
                }

                return 0;
            },
            cancellationToken);
    }
}

/// <summary>A module's schema as numbered steps; step n is version n. Never edit a released step.</summary>
public sealed record SchemaMigrations(string Module, IReadOnlyList<string> Steps);
