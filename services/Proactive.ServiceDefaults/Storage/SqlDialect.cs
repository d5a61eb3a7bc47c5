using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// Everything the SQL of SQLite and PostgreSQL does differently, in one place; the rest of the SQL
/// is written once for both. SQLite has a single writer, so what PostgreSQL locks needs nothing there.
/// </summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new()
    {
        SystemName = "sqlite",
        SkipLocked = "",
        ForUpdate = "",
        AutoIncrementKey = "INTEGER PRIMARY KEY AUTOINCREMENT",
        OnFirstOpen = "PRAGMA journal_mode=WAL;",
    };

    public static readonly SqlDialect Postgres = new()
    {
        SystemName = "postgresql",
        SkipLocked = " FOR UPDATE SKIP LOCKED",
        ForUpdate = " FOR UPDATE",
        AutoIncrementKey = "BIGSERIAL PRIMARY KEY",
        KeyLock = "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))",
        // The keys' locks in one order of their hashes: two transactions locking overlapping sets
        // wait for each other instead of deadlocking.
        KeysLock = "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(@keys) AS k ORDER BY h) AS locks",
        MigrationLock = "SELECT pg_advisory_xact_lock(727274)",
        AnyOfArray = true,
    };

    private SqlDialect()
    {
    }

    /// <summary>The database's name in traces (db.system.name).</summary>
    public required string SystemName { get; init; }

    /// <summary>Appended to a SELECT that claims rows: replicas skip what another one holds.</summary>
    public required string SkipLocked { get; init; }

    /// <summary>Appended to a SELECT whose rows must not change until the transaction ends.</summary>
    public required string ForUpdate { get; init; }

    /// <summary>An auto-increment primary key column ("{{id}}" in a migration).</summary>
    public required string AutoIncrementKey { get; init; }

    /// <summary>Holds one key (parameter @key) until the transaction ends, across replicas; null where the writer is alone.</summary>
    private string? KeyLock { get; init; }

    /// <summary>Holds many keys (array parameter @keys) until the transaction ends, taken in one fixed order; null where the writer is alone.</summary>
    private string? KeysLock { get; init; }

    /// <summary>Makes replicas starting at once migrate one after the other; null where the writer is alone.</summary>
    public string? MigrationLock { get; init; }

    /// <summary>Run once before migrating (WAL lets SQLite's readers run beside its writer; a property of the file).</summary>
    public string? OnFirstOpen { get; init; }

    private bool AnyOfArray { get; init; }

    public static SqlDialect For(StoreKind kind) => kind == StoreKind.Postgres ? Postgres : Sqlite;

    /// <summary>Serializes work on <paramref name="key"/> (an order, a customer) across replicas until the transaction ends.</summary>
    public Task LockAsync(DbConnection connection, DbTransaction? transaction, string key) =>
        KeyLock is { } keyLock ? connection.ExecuteAsync(keyLock, new { key }, transaction) : Task.CompletedTask;

    /// <summary>Serializes work on each of <paramref name="keys"/> across replicas until the transaction ends (see <see cref="LockAsync"/>).</summary>
    public Task LockAllAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<string> keys) =>
        KeysLock is null || keys.Count == 0 ? Task.CompletedTask
        : keys.Count == 1 ? LockAsync(connection, transaction, keys.First())
        : connection.ExecuteAsync(KeysLock, new { keys = List(keys) }, transaction);

    /// <summary>
    /// The statement that takes the locks of <see cref="LockAllAsync"/> (array parameter @<paramref name="parameter"/>),
    /// for a caller that sends it in one round trip with its first statement; null where the writer is alone.
    /// </summary>
    public string? LockAllStatement(string parameter) => KeysLock?.Replace("@keys", "@" + parameter, StringComparison.Ordinal);

    /// <summary>
    /// "column is one of the list parameter @<paramref name="parameter"/>", whose value is <see cref="List{T}"/>:
    /// an array on PostgreSQL; on SQLite one JSON array read by json_each, not one parameter per
    /// value (SQLite finds each named parameter by a linear search, so a hundred of them in a
    /// statement cost more than the statement).
    /// </summary>
    public string AnyOf(string parameter) => AnyOfArray ? $"= ANY(@{parameter})" : $"IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>
    /// The values of the list parameter @<paramref name="parameter"/> as rows (column "id") of a
    /// table named <paramref name="alias"/>, for a FROM clause: a statement that looks each value up
    /// on its own (a correlated subquery) uses the index whatever the planner guesses of the table —
    /// PostgreSQL without statistics yet (a young table) estimates "= ANY" of a few hundred values
    /// as most of a table and scans it whole.
    /// </summary>
    public string EachOf(string parameter, string alias) =>
        AnyOfArray ? $"unnest(@{parameter}) AS {alias}(id)" : $"(SELECT value AS id FROM json_each(@{parameter})) AS {alias}";

    /// <summary>The value of a list parameter (see <see cref="AnyOf"/>).</summary>
    public object List<T>(IEnumerable<T> values) => AnyOfArray ? values.ToArray() : JsonSerializer.Serialize(values);
}
