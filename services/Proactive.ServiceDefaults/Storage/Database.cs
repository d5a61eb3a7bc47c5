using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Proactive.ServiceDefaults.Storage;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// How SQLite makes a commit durable (its <c>synchronous</c> setting, in WAL mode). <see cref="Full"/>
/// (the default) syncs the log at every commit: what was answered stays after a power loss.
/// <see cref="Normal"/> syncs only at checkpoints: a crash of the process loses nothing, but a power
/// loss or an OS crash can lose the last commits (events already answered) — faster commits for
/// those who accept that.
/// </summary>
public enum SqliteSynchronous
{
    Full,
    Normal,
}

/// <summary>
/// The service's store: SQLite (one file, no server) or PostgreSQL (shared by replicas), chosen by
/// configuration; the SQL is the same on both except where its <see cref="Dialect"/> says otherwise. SQLite allows one writer at a time, so writes queue on a
/// gate here rather than fail with SQLITE_BUSY; reads run beside them (WAL). On PostgreSQL a unit
/// of work that fails because the server went away is retried on a fresh connection: each unit is
/// one transaction, so a retry repeats nothing that committed.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    public const string DefaultConnectionString = "Data Source=data/proactive.db";

    private const int PostgresAttempts = 4;
    private readonly WriteGate writeGate = new();
    private readonly SqliteGroupCommit groupCommit;
    private readonly NpgsqlDataSource? postgres;
    private readonly StoreFileLock? fileLock;
    private readonly WalCheckpointer? checkpointer;
    private readonly string sqliteSettings = "";
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> configured = [];

    public Database(string connectionString, StoreKind kind = StoreKind.Sqlite, SqliteSynchronous synchronous = SqliteSynchronous.Full, TimeProvider? time = null, ILogger? logger = null)
    {
        Kind = kind;
        Synchronous = synchronous;
        groupCommit = new SqliteGroupCommit(ct => OpenSqliteAsync(writer: true, ct), writeGate, () => checkpointer?.Committed(), time ?? TimeProvider.System, logger);
        Dialect = SqlDialect.For(kind);
        if (kind == StoreKind.Postgres)
        {
            ConnectionString = WithPostgresDefaults(connectionString);
            postgres = NpgsqlDataSource.Create(ConnectionString);
            return;
        }

        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            // Two processes on one SQLite file would each think they are its only writer.
            fileLock = StoreFileLock.Acquire(file);
            checkpointer = new WalCheckpointer(OpenAsync, writeGate, time ?? TimeProvider.System, logger);
        }

        builder.ForeignKeys = true;
        ConnectionString = builder.ToString();
        // Every connection: the checkpoints left to the WalCheckpointer but past its safety net, and
        // the durability asked for (stated, so no pooled connection keeps another setting).
        sqliteSettings =
            (checkpointer is null ? "" : $"PRAGMA wal_autocheckpoint={WalCheckpointer.SafetyNetPages}; PRAGMA journal_size_limit={WalCheckpointer.LogSizeLimit}; ") +
            $"PRAGMA synchronous={(synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL")};";
    }

    /// <summary>
    /// SQLite's page cache of a connection that writes, in KiB (8 MB, taken as pages are used): it holds
    /// the hot pages of the tables and indexes intake writes, which SQLite's default of 2 MB re-read
    /// from the file at every commit. Not larger: while the database is under 1 GB, SQLite walks the
    /// whole cache at most commits (a B-tree split renumbers pages through page 262,145, past the end,
    /// and the commit then drops pages past the end by a full scan), and at 32 MB that walk cost more
    /// than the reads it saved (docs/benchmarks.md). Connections that only read keep the default.
    /// </summary>
    public const int SqliteCacheKiB = 8 * 1024;

    /// <summary>
    /// A SQLite transaction that holds the one writer this long is logged as a warning (see
    /// <see cref="SqliteGroupCommit"/>); a commit takes about a millisecond on a healthy disk.
    /// </summary>
    public static readonly TimeSpan SlowSqliteTransaction = TimeSpan.FromMilliseconds(100);

    public StoreKind Kind { get; }

    /// <summary>SQLite's checkpoints off the writer's path (a file store only; tests and diagnostics read it).</summary>
    public WalCheckpointer? Checkpointer => checkpointer;

    /// <summary>Units of work waiting for SQLite's one writer (diagnostics, tests); 0 on PostgreSQL.</summary>
    public int WritersWaiting => writeGate.Waiting;

    /// <summary>SQLite's commit durability (every connection is opened with it); PostgreSQL ignores it.</summary>
    public SqliteSynchronous Synchronous { get; }

    /// <summary>
    /// Statements run again and again (every event runs the same few) are prepared on each pooled
    /// connection after their second use, so the server parses and plans them once, and a
    /// connection goes back to the pool without a reset round trip; what the connection string
    /// sets itself wins.
    /// </summary>
    public static string WithPostgresDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!given.Contains("autoprepareminusages"))
        {
            builder.AutoPrepareMinUsages = 2;
        }

        if (!given.Contains("noresetonclose"))
        {
            // No session state is set (locks are per transaction): returning a connection to the
            // pool need not cost a round trip to reset it.
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    public SqlDialect Dialect { get; }

    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        postgres is not null ? await postgres.OpenConnectionAsync(cancellationToken) : await OpenSqliteAsync(writer: false, cancellationToken);

    /// <summary>
    /// A SQLite connection with the store's settings; the writer's also gets the larger page cache
    /// (<see cref="SqliteCacheKiB"/>; the writer opens one and keeps it, see <see cref="SqliteGroupCommit"/>).
    /// </summary>
    private async Task<DbConnection> OpenSqliteAsync(bool writer, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        try
        {
            await SetOnceAsync(connection, configured, sqliteSettings, cancellationToken);
            if (writer)
            {
                await ExecuteAsync(connection, $"PRAGMA cache_size=-{SqliteCacheKiB}", cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and answers once it committed. Traced as "db {operation}".
    /// On SQLite the transaction may hold other units queued beside it, each in a savepoint of its own (see
    /// <see cref="SqliteGroupCommit"/>): <paramref name="work"/> must not commit or roll back itself.
    /// </summary>
    public Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default, [CallerMemberName] string operation = "") =>
        WriteAsync(WritePriority.Normal, work, cancellationToken, operation);

    /// <summary>
    /// <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, Task{T}}, CancellationToken, string)"/> for
    /// small work a notice waits for: on SQLite it goes before the normal writes waiting (see <see cref="WriteGate"/>).
    /// </summary>
    public Task<T> WriteUrgentAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default, [CallerMemberName] string operation = "") =>
        WriteAsync(WritePriority.Urgent, work, cancellationToken, operation);

    private async Task<T> WriteAsync<T>(WritePriority priority, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken, string operation)
    {
        using var activity = StartActivity(operation, "write");
        if (postgres is not null)
        {
            return await WithReconnectAsync(
                async () =>
                {
                    await using var connection = await OpenAsync(cancellationToken);
                    await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                    var result = await work(connection, transaction);
                    await transaction.CommitAsync(cancellationToken);
                    return result;
                },
                cancellationToken);
        }

        return await groupCommit.RunAsync(priority, work, operation, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="settings"/> on the connection unless <paramref name="done"/> says they were:
    /// settings stay with SQLite's connection, which the pool hands out again.
    /// </summary>
    private static async Task SetOnceAsync(SqliteConnection connection, ConditionalWeakTable<SQLitePCL.sqlite3, object> done, string settings, CancellationToken cancellationToken)
    {
        if (settings.Length == 0 || connection.Handle is not { } handle || done.TryGetValue(handle, out _))
        {
            return;
        }

        await ExecuteAsync(connection, settings, cancellationToken);
        done.TryAdd(handle, handle);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> on a connection of its own. Traced as "db {operation}".</summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default, [CallerMemberName] string operation = "")
    {
        using var activity = StartActivity(operation, "read");
        return await WithReconnectAsync(
            async () =>
            {
                await using var connection = await OpenAsync(cancellationToken);
                return await work(connection);
            },
            cancellationToken);
    }

    /// <summary>One span per unit of work (Npgsql adds one per command on PostgreSQL).</summary>
    private System.Diagnostics.Activity? StartActivity(string operation, string mode)
    {
        var activity = ProactiveTelemetry.Start($"db {operation}", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("db.system.name", Dialect.SystemName);
        activity?.SetTag("db.operation.name", operation);
        activity?.SetTag("proactive.db.mode", mode);
        return activity;
    }

    private async Task<T> WithReconnectAsync<T>(Func<Task<T>> unit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await unit();
            }
            catch (Exception e) when (postgres is not null && attempt < PostgresAttempts && IsConnectionLoss(e))
            {
                // The pool may hold connections to a server that restarted: drop them all.
                postgres.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The store itself is failing (gone, locked, full, timing out, a conflict between writers),
    /// not the item being worked on: a queue retries its round and counts nothing against the item.
    /// </summary>
    /// <summary>The exception, or one it wraps, says the store is unavailable (see <see cref="IsUnavailable"/>).</summary>
    public static bool IsUnavailableWithin(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (IsUnavailable(cause))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsUnavailable(Exception e) => IsConnectionLoss(e) || e switch
    {
        TimeoutException => true,
        // SQLITE_BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6 or 8 or 10 or 13 or 14,
        // Serialization failure, deadlock, too many connections or out of resources, operator or timeout cancel.
        PostgresException pg => pg.SqlState is "40001" or "40P01" or "57014" || pg.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.InnerException is TimeoutException,
        _ => false,
    };

    private static bool IsConnectionLoss(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" or "08000" or "08003" or "08006",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException,
        _ => false,
    };

    /// <summary>Applies the migrations of one module that this database has not seen yet, in order.</summary>
    public async Task MigrateAsync(SchemaMigrations migrations, CancellationToken cancellationToken = default)
    {
        if (Dialect.OnFirstOpen is { } firstOpen)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await connection.ExecuteAsync(firstOpen);
        }

        await WriteAsync(
            async (connection, transaction) =>
            {
                if (Dialect.MigrationLock is { } migrationLock)
                {
                    // Two replicas starting at once: the second waits here, then finds the work done.
                    await connection.ExecuteAsync(migrationLock, transaction: transaction);
                }

                await connection.ExecuteAsync(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        module TEXT NOT NULL,
                        version BIGINT NOT NULL,
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

                    // No command timeout: a step over a large store (an index built, a backfill) takes what it takes.
                    await connection.ExecuteAsync(migrations.For(Dialect, i), transaction: transaction, commandTimeout: 0);
                    await connection.ExecuteAsync(
                        "INSERT INTO schema_migrations (module, version, applied_at) VALUES (@Module, @Version, @At)",
                        new { migrations.Module, Version = (long)version, At = DateTimeOffset.UtcNow.ToString("O") },
                        transaction);
                }

                return 0;
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (checkpointer is not null)
        {
            await checkpointer.StopAsync();
        }

        await groupCommit.DisposeAsync();
        fileLock?.Dispose();
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }
}
