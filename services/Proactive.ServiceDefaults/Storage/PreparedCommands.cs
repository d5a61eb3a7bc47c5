using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// One command per SQL text and SQLite connection, kept for the connection's life: Microsoft.Data.Sqlite
/// keeps a command's compiled statements for its next execution, but not across commands
/// (dotnet/efcore#14044), so a hot statement run through a new command each time (as Dapper does) is
/// compiled again each time. Only for constant SQL texts on a connection used by one caller at a
/// time (the writer's, SqliteGroupCommit); closing the connection finalizes the statements.
/// <see cref="ExecuteKeptAsync"/> runs a statement as Dapper's ExecuteAsync would,
/// with the same parameters (an object's public properties, or name/value pairs, named without a
/// prefix so that @n, $n and :n all take them), through the kept command on SQLite and through
/// Dapper elsewhere. Each is given the name the statement spells it with (<c>@n</c>), so SQLite finds
/// it at the first look: Microsoft.Data.Sqlite otherwise tries each prefix in turn at every execution.
/// </summary>
public static class PreparedCommands
{
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Kept = [];
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    // The names (as the caller gave them) a kept command's parameters were last created for, in order.
    private static readonly ConditionalWeakTable<DbCommand, string[]> Bound = [];

    /// <summary>True when <paramref name="connection"/> keeps commands (SQLite).</summary>
    public static bool Keeps(DbConnection connection) => connection is SqliteConnection;

    /// <summary>The connection's command for <paramref name="sql"/>, in <paramref name="transaction"/>; its parameters keep their last values.</summary>
    public static DbCommand For(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var commands = Kept.GetValue(connection, _ => new Dictionary<string, DbCommand>(StringComparer.Ordinal));
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }

        command.Transaction = transaction;
        return command;
    }

    /// <summary>Sets parameter <paramref name="name"/> of <paramref name="command"/> (added the first time).</summary>
    public static void Set(this DbCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var at = parameters.IndexOf(name);
        if (at < 0)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameters.Add(parameter);
            at = parameters.Count - 1;
        }

        parameters[at].Value = AsSent(value);
    }

    /// <summary>As Dapper sends a value: an enum as its number, null as NULL.</summary>
    private static object AsSent(object? value) =>
        value is Enum e ? Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), System.Globalization.CultureInfo.InvariantCulture) : value ?? DBNull.Value;

    /// <summary>Runs <paramref name="sql"/> with <paramref name="parameters"/> (see the class); the rows it changed.</summary>
    public static async Task<int> ExecuteKeptAsync(this DbConnection connection, string sql, object parameters, DbTransaction? transaction)
    {
        if (!Keeps(connection) || parameters is SqlMapper.IDynamicParameters)
        {
            return await connection.ExecuteAsync(sql, parameters, transaction);
        }

        var command = For(connection, transaction, sql);
        Bind(command, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs <paramref name="sql"/> once per element of <paramref name="rows"/>, as Dapper does with a list; the rows changed in all.</summary>
    public static async Task<int> ExecuteEachKeptAsync<T>(this DbConnection connection, string sql, IEnumerable<T> rows, DbTransaction? transaction)
        where T : notnull
    {
        if (!Keeps(connection))
        {
            return await connection.ExecuteAsync(sql, rows, transaction);
        }

        var command = For(connection, transaction, sql);
        var changed = 0;
        foreach (var row in rows)
        {
            Bind(command, row);
            changed += await command.ExecuteNonQueryAsync();
        }

        return changed;
    }

    /// <summary>
    /// Sets the command's parameters to exactly <paramref name="parameters"/>' (those of an earlier
    /// execution with other names are dropped, so a missing one fails as with Dapper).
    /// </summary>
    private static void Bind(DbCommand command, object parameters)
    {
        var values = parameters switch
        {
            IEnumerable<KeyValuePair<string, object?>> named => named.ToList(),
            string or System.Collections.IEnumerable => throw new ArgumentException(
                "One statement's parameters are an object or name/value pairs; for many rows, ExecuteEachKeptAsync.", nameof(parameters)),
            _ => Properties.GetOrAdd(parameters.GetType(), Readable)
                .Select(property => new KeyValuePair<string, object?>(property.Name, property.GetValue(parameters)))
                .ToList(),
        };
        var parameterList = command.Parameters;
        if (!Bound.TryGetValue(command, out var names) || !SameNames(names, values) || parameterList.Count != names.Length)
        {
            parameterList.Clear();
            foreach (var (name, _) in values)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = AsSpelled(command.CommandText, name);
                parameterList.Add(parameter);
            }

            Bound.AddOrUpdate(command, [.. values.Select(v => v.Key)]);
        }

        for (var i = 0; i < values.Count; i++)
        {
            parameterList[i].Value = AsSent(values[i].Value);
        }
    }

    private static bool SameNames(string[] names, List<KeyValuePair<string, object?>> values)
    {
        if (names.Length != values.Count)
        {
            return false;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!string.Equals(names[i], values[i].Key, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <paramref name="name"/> with the one prefix (@, $ or :) <paramref name="sql"/> gives it; as it is
    /// when the text shows none or more than one (Microsoft.Data.Sqlite then looks it up at each
    /// execution, as before, and a missing one fails naming it).
    /// </summary>
    private static string AsSpelled(string sql, string name)
    {
        if (name.Length > 0 && name[0] is '@' or '$' or ':')
        {
            return name;
        }

        var found = "@$:".Select(prefix => prefix + name).Where(spelled => Names(sql, spelled)).ToList();
        return found.Count == 1 ? found[0] : name;
    }

    /// <summary>Whether <paramref name="spelled"/> occurs in <paramref name="sql"/> as a whole name (not the start of a longer one).</summary>
    private static bool Names(string sql, string spelled)
    {
        for (var at = sql.IndexOf(spelled, StringComparison.Ordinal); at >= 0; at = sql.IndexOf(spelled, at + 1, StringComparison.Ordinal))
        {
            var end = at + spelled.Length;
            if (end == sql.Length || !(char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The properties Dapper would read: public, of the instance, not indexers.</summary>
    private static PropertyInfo[] Readable(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead)];
}
