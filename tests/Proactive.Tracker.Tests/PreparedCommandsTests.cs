using Dapper;
using Microsoft.Data.Sqlite;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Tests;

/// <summary>
/// A hot statement on SQLite's writer keeps its command, so it is compiled once per connection and
/// not at every transaction; its parameters are set, not added again.
/// </summary>
public sealed class PreparedCommandsTests
{
    private const string Insert = "INSERT INTO rows (n, note) VALUES ($n, $note)";

    [Fact]
    public async Task OneCommandPerConnectionAndTextRunsInEachTransaction()
    {
        await using var connection = await OpenAsync();
        var used = new List<System.Data.Common.DbCommand>();
        for (var n = 1; n <= 3; n++)
        {
            await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
            var insert = PreparedCommands.For(connection, transaction, Insert);
            insert.Set("$n", n);
            insert.Set("$note", n == 2 ? null : $"row {n}");
            (await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
            await transaction.CommitAsync(TestContext.Current.CancellationToken);
            used.Add(insert);
        }

        used.Distinct().Count().ShouldBe(1);
        used[0].Parameters.Count.ShouldBe(2);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*), count(note) FROM rows";
        await using var reader = await count.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        (reader.GetInt64(0), reader.GetInt64(1)).ShouldBe((3L, 2L)); // the null was stored as NULL

        await using var other = await OpenAsync();
        PreparedCommands.For(other, null, Insert).ShouldNotBeSameAs(used[0]);
        PreparedCommands.For(connection, null, Insert + " ON CONFLICT DO NOTHING").ShouldNotBeSameAs(used[0]);
        PreparedCommands.Keeps(connection).ShouldBeTrue();
    }

    [Fact]
    public async Task ExecuteTakesDappersParameters()
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);

        (await connection.ExecuteKeptAsync(Insert, new { n = DayOfWeek.Tuesday, note = "from an object" }, transaction)).ShouldBe(1);
        (await connection.ExecuteKeptAsync(Insert, new Dictionary<string, object?> { ["n"] = 3L, ["note"] = null }, transaction)).ShouldBe(1);
        (await connection.ExecuteKeptAsync(Insert, new DynamicParameters(new { n = 4, note = "through Dapper" }), transaction)).ShouldBe(1);
        (await connection.ExecuteEachKeptAsync(Insert, new[] { new { n = 5, note = "each" }, new { n = 6, note = "each" } }, transaction)).ShouldBe(2);

        var rows = await connection.QueryAsync<Row>("SELECT n, note FROM rows ORDER BY n", transaction: transaction);
        rows.ShouldBe([new Row(2, "from an object"), new Row(3, null), new Row(4, "through Dapper"), new Row(5, "each"), new Row(6, "each")]); // the enum as its number
        PreparedCommands.For(connection, transaction, Insert).Parameters.Count.ShouldBe(2);
    }

    [Fact]
    public async Task AParameterAnEarlierCallSetIsNotReusedAndAListIsNotOneRow()
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        (await connection.ExecuteKeptAsync(Insert, new { n = 1, note = "first" }, transaction)).ShouldBe(1);

        // Dapper would refuse a statement whose parameter is not given; so does the kept command.
        await Should.ThrowAsync<InvalidOperationException>(() => connection.ExecuteKeptAsync(Insert, new { n = 2 }, transaction));
        await Should.ThrowAsync<ArgumentException>(() => connection.ExecuteKeptAsync(Insert, new[] { new { n = 3, note = "a list" } }, transaction));
        (await connection.ExecuteKeptAsync(Insert, new Indexed(4, "indexed"), transaction)).ShouldBe(1);

        (await connection.QueryAsync<Row>("SELECT n, note FROM rows ORDER BY n", transaction: transaction)).ShouldBe([new Row(1, "first"), new Row(4, "indexed")]);
    }

    [Fact]
    public async Task EachParameterIsNamedAsTheStatementSpellsIt()
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        const string NoteFirst = "INSERT INTO rows (note, n) VALUES (@note, @n)";

        (await connection.ExecuteKeptAsync(NoteFirst, new { n = 7, note = "seven" }, transaction)).ShouldBe(1);
        (await connection.ExecuteKeptAsync(Insert, new { n = 8, note = "eight" }, transaction)).ShouldBe(1);

        // Found at the first look (Microsoft.Data.Sqlite tries each prefix at every execution for a bare name);
        // "@n" is not the start of "@note".
        Names(PreparedCommands.For(connection, transaction, NoteFirst)).ShouldBe(["@n", "@note"]);
        Names(PreparedCommands.For(connection, transaction, Insert)).ShouldBe(["$n", "$note"]);

        // The same names in another order are set by name, not by the earlier order.
        (await connection.ExecuteKeptAsync(NoteFirst, new Dictionary<string, object?> { ["note"] = "nine", ["n"] = 9 }, transaction)).ShouldBe(1);

        // A text that shows a name with two prefixes (here one inside a literal) keeps the bare name, which still binds.
        const string Ambiguous = "INSERT INTO rows (n, note) VALUES ($n, '@n ' || $note)";
        (await connection.ExecuteKeptAsync(Ambiguous, new { n = 10, note = "ten" }, transaction)).ShouldBe(1);
        Names(PreparedCommands.For(connection, transaction, Ambiguous)).ShouldBe(["$note", "n"]);

        (await connection.QueryAsync<Row>("SELECT n, note FROM rows ORDER BY n", transaction: transaction))
            .ShouldBe([new Row(7, "seven"), new Row(8, "eight"), new Row(9, "nine"), new Row(10, "@n ten")]);
    }

    private static string[] Names(System.Data.Common.DbCommand command) =>
        [.. command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => p.ParameterName).Order(StringComparer.Ordinal)];

    private sealed record Row(long n, string? note);

    /// <summary>Parameters with an indexer, which is no parameter.</summary>
    private sealed record Indexed(long n, string note)
    {
        public string this[int i] => note;
    }

    private static async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE rows (n INTEGER NOT NULL, note TEXT NULL)";
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
