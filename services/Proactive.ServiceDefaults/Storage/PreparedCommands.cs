using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// One command per SQL text and SQLite connection, kept for the connection's life: Microsoft.Data.Sqlite
/// keeps a command's compiled statements for its next execution, but not across commands
/// (dotnet/efcore#14044), so a hot statement run through a new command each time (as Dapper does) is
/// compiled again each time. Only for constant SQL texts on a connection used by one caller at a
/// time (the writer's, SqliteGroupCommit); closing the connection finalizes the statements.
/// </summary>
public static class PreparedCommands
{
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Kept = [];

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

        parameters[at].Value = value ?? DBNull.Value;
    }
}
