using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Storage;
using Proactive.Standalone;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timers;

namespace Proactive.Benchmarks;

/// <summary>
/// "A million open orders do not make the timer sweep slow": fills Tracker's due-timer queue with
/// N open orders (due over the next 30 days, <see cref="DueNow"/> of them due now) and times the
/// queries the sweep runs, for each N, on SQLite and PostgreSQL. Prints the query plans.
/// Usage: dotnet run -c Release --project tests/Proactive.Benchmarks -- timers [open orders, comma-separated] [postgres connection string]
/// </summary>
internal static class TimerBenchmark
{
    private const int DueNow = 1000;
    private const int Page = 500;
    private const int Repeats = 200;
    private const string BenchDatabase = "bench_timers";

    // The statements TrackerStore runs (Store/TrackerStore.cs), for EXPLAIN.
    private const string DueSql =
        "SELECT order_id FROM tracker_timers t WHERE due_at <= @now AND NOT EXISTS (SELECT 1 FROM queue_item_failures f WHERE f.queue = 'tracker.timers' AND f.item_key = t.order_id AND (f.parked_at IS NOT NULL OR f.next_attempt_at > @now)) ORDER BY due_at LIMIT @limit";
    private const string NextSql =
        "SELECT due_at FROM tracker_timers t WHERE NOT EXISTS (SELECT 1 FROM queue_item_failures f WHERE f.queue = 'tracker.timers' AND f.item_key = t.order_id) ORDER BY due_at LIMIT 1";
    private const string SetSql =
        "INSERT INTO tracker_timers (order_id, due_at) VALUES (@orderId, @due) ON CONFLICT (order_id) DO UPDATE SET due_at = excluded.due_at";

    public static async Task RunAsync(string[] args)
    {
        var counts = (args.Length > 0 ? args[0] : "10000,1000000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => int.Parse(n.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture))
            .ToList();
        var postgres = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("PROACTIVE_TEST_POSTGRES");

        Console.WriteLine($"Timer queue: {DueNow} due now, the rest due over the next 30 days; pages of {Page}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var results = new List<string>();
        foreach (var count in counts)
        {
            var directory = Directory.CreateTempSubdirectory("proactive-bench-timers").FullName;
            var file = Path.Combine(directory, "timers.db");
            results.Add(await MeasureAsync("SQLite", count, new() { ["ConnectionStrings:Proactive"] = $"Data Source={file}" }));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        if (!string.IsNullOrEmpty(postgres))
        {
            var target = new NpgsqlConnectionStringBuilder(postgres) { Database = BenchDatabase }.ConnectionString;
            foreach (var count in counts)
            {
                await AdminAsync(postgres, $"DROP DATABASE IF EXISTS {BenchDatabase} WITH (FORCE)", $"CREATE DATABASE {BenchDatabase}");
                results.Add(await MeasureAsync("PostgreSQL", count, new() { ["Proactive:Store"] = "Postgres", ["ConnectionStrings:Proactive"] = target }));
            }

            NpgsqlConnection.ClearAllPools();
            await AdminAsync(postgres, $"DROP DATABASE IF EXISTS {BenchDatabase} WITH (FORCE)");
        }

        Console.WriteLine();
        Console.WriteLine("| store | open orders | bulk insert | due page (500 of 1000 due), median / p95 | collect all 1000 due in pages | nothing due, median | NextTimerDueAsync, median | SetTimerAsync (own transaction), median / p95 | sweep of the 1000 due orders |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        results.ForEach(Console.WriteLine);
    }

    private static async Task<string> MeasureAsync(string store, int count, Dictionary<string, string?> settings)
    {
        await using var app = await BenchmarkHost.StartAsync(settings);
        var trackerStore = app.Services.GetRequiredService<TrackerStore>();
        var db = trackerStore.Database;
        var ct = CancellationToken.None;

        Console.WriteLine();
        Console.WriteLine($"## {store}, {count:N0} open orders");
        var now = DateTimeOffset.UtcNow;
        var inserted = Stopwatch.StartNew();
        await BulkInsertAsync(db, count, now);
        inserted.Stop();
        Console.WriteLine($"bulk insert: {count:N0} rows in {inserted.Elapsed.TotalSeconds:N2} s");
        if (db.Kind == StoreKind.Postgres)
        {
            // What autovacuum's analyze does after a load this size; the app itself never runs it.
            await db.ReadAsync(c => c.ExecuteAsync("ANALYZE tracker_timers"));
        }

        await PrintPlanAsync(db, DueSql, new { now = now.ToMs(), limit = Page });
        await PrintPlanAsync(db, NextSql, null);
        await PrintPlanAsync(db, SetSql, new { orderId = OrderId(count - 1), due = now.AddDays(40).ToMs() });

        // (a) One page of due timers, as the sweep reads it (the rows are left as they are).
        var page = await TimeAsync(Repeats, async _ =>
        {
            var due = await trackerStore.DueTimersAsync(now, Page, ct);
            Check(due.Count == Page, $"a page has {due.Count} rows");
        });

        // (a) Every due timer, page by page: each page is moved out of the way before the next is
        // read, as the sweep's re-evaluation does. Only the reads are timed.
        var collect = TimeSpan.Zero;
        var collected = 0;
        var pages = 0;
        while (true)
        {
            var clock = Stopwatch.StartNew();
            var due = await trackerStore.DueTimersAsync(now, Page, ct);
            collect += clock.Elapsed;
            pages++;
            if (due.Count == 0)
            {
                break;
            }

            collected += due.Count;
            await db.WriteAsync(
                async (c, tx) =>
                {
                    foreach (var orderId in due)
                    {
                        await TrackerStore.SetTimerAsync(c, tx, orderId, now.AddDays(40));
                    }

                    return 0;
                },
                ct);
        }

        Check(collected == DueNow, $"collected {collected} due timers");

        // Put them back: due now again, for the sweep below.
        await db.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                "UPDATE tracker_timers SET due_at = @due WHERE due_at = @parked",
                new { due = now.AddMinutes(-1).ToMs(), parked = now.AddDays(40).ToMs() },
                tx),
            ct);

        // (b) The next instant anything falls due: the sweep's sleep.
        var next = await TimeAsync(Repeats, async _ =>
        {
            var at = await trackerStore.NextTimerDueAsync(ct);
            Check(at <= now, "the earliest timer is due");
        });

        // (c) Moving one order's timer, in its own transaction (with its commit), as an event does.
        var random = new Random(7);
        var set = await TimeAsync(Repeats, async _ =>
        {
            var orderId = OrderId(DueNow + random.Next(count - DueNow));
            await db.WriteAsync(
                async (c, tx) =>
                {
                    await TrackerStore.SetTimerAsync(c, tx, orderId, now.AddDays(2 + (random.NextDouble() * 28)));
                    return 0;
                },
                ct);
        });

        // The real sweep: each due order re-evaluated in its own transaction (these orders have no
        // events, so each ends with its timer deleted).
        var sweepClock = Stopwatch.StartNew();
        var swept = await app.Services.GetRequiredService<DueTimerSweep>().SweepDueAsync(ct);
        sweepClock.Stop();
        Check(swept == DueNow, $"swept {swept}");

        // The idle poll: nothing is due.
        var empty = await TimeAsync(Repeats, async _ =>
        {
            var due = await trackerStore.DueTimersAsync(DateTimeOffset.UtcNow, Page, ct);
            Check(due.Count == 0, "nothing is due");
        });

        await app.StopAsync();
        var line = $"| {store} | {count:N0} | {inserted.Elapsed.TotalSeconds:N2} s ({count / inserted.Elapsed.TotalSeconds:N0} rows/s) "
            + $"| {Ms(page.Median)} / {Ms(page.P95)} | {Ms(collect)} ({pages} queries) | {Ms(empty.Median)} | {Ms(next.Median)} "
            + $"| {Ms(set.Median)} / {Ms(set.P95)} | {sweepClock.Elapsed.TotalMilliseconds:N0} ms ({sweepClock.Elapsed.TotalMilliseconds / swept:N2} ms/order) |";
        Console.WriteLine(line);
        return line;
    }

    private static string OrderId(int i) => $"BT-{i:D8}";

    /// <summary>
    /// The first <see cref="DueNow"/> orders are due within the last hour; the others at random
    /// instants from an hour to 30 days ahead, inserted in random order.
    /// </summary>
    private static IEnumerable<(string OrderId, long DueAt)> Rows(int count, DateTimeOffset now)
    {
        var random = new Random(42);
        var start = now.AddHours(1).ToMs();
        var span = (long)TimeSpan.FromDays(30).TotalMilliseconds - 3_600_000;
        for (var i = 0; i < count; i++)
        {
            yield return i < DueNow
                ? (OrderId(i), now.ToMs() - random.NextInt64(3_600_000))
                : (OrderId(i), start + random.NextInt64(span));
        }
    }

    private static async Task BulkInsertAsync(Database db, int count, DateTimeOffset now)
    {
        await using var c = await db.OpenAsync();
        if (c is NpgsqlConnection npgsql)
        {
            await using var copy = await npgsql.BeginBinaryImportAsync("COPY tracker_timers (order_id, due_at) FROM STDIN (FORMAT BINARY)");
            foreach (var (orderId, dueAt) in Rows(count, now))
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(orderId, NpgsqlDbType.Text);
                await copy.WriteAsync(dueAt, NpgsqlDbType.Bigint);
            }

            await copy.CompleteAsync();
            return;
        }

        // SQLite: one transaction, a prepared statement of 500 rows, then one row at a time.
        const int batch = 500;
        await using var tx = await c.BeginTransactionAsync();
        await using var many = Insert(c, tx, batch);
        await using var one = Insert(c, tx, 1);
        var pending = new List<(string, long)>(batch);
        foreach (var row in Rows(count, now))
        {
            pending.Add(row);
            if (pending.Count == batch)
            {
                await RunAsync(many, pending);
                pending.Clear();
            }
        }

        foreach (var row in pending)
        {
            await RunAsync(one, [row]);
        }

        await tx.CommitAsync();

        static DbCommand Insert(DbConnection c, DbTransaction tx, int rows)
        {
            var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO tracker_timers (order_id, due_at) VALUES "
                + string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@o{i}, @d{i})"));
            for (var i = 0; i < rows; i++)
            {
                var orderId = command.CreateParameter();
                orderId.ParameterName = $"@o{i}";
                orderId.DbType = System.Data.DbType.String;
                command.Parameters.Add(orderId);
                var due = command.CreateParameter();
                due.ParameterName = $"@d{i}";
                due.DbType = System.Data.DbType.Int64;
                command.Parameters.Add(due);
            }

            command.Prepare();
            return command;
        }

        static Task<int> RunAsync(DbCommand command, List<(string OrderId, long DueAt)> rows)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                command.Parameters[2 * i].Value = rows[i].OrderId;
                command.Parameters[(2 * i) + 1].Value = rows[i].DueAt;
            }

            return command.ExecuteNonQueryAsync();
        }
    }

    private static async Task PrintPlanAsync(Database db, string sql, object? parameters)
    {
        Console.WriteLine();
        Console.WriteLine(sql);
        if (db.Kind == StoreKind.Postgres)
        {
            // ANALYZE would run the upsert: only the plan for it.
            var explain = sql.StartsWith("INSERT", StringComparison.Ordinal) ? "EXPLAIN " : "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) ";
            foreach (var line in await db.ReadAsync(c => c.QueryAsync<string>(explain + sql, parameters)))
            {
                Console.WriteLine($"    {line}");
            }

            return;
        }

        if (sql.StartsWith("INSERT", StringComparison.Ordinal))
        {
            Console.WriteLine("    (SQLite gives no plan for an upsert: a primary-key lookup)");
            return;
        }

        var plan = await db.ReadAsync(c => c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters));
        foreach (var step in plan)
        {
            Console.WriteLine($"    {step.Detail}");
        }
    }

    private static async Task<(TimeSpan Median, TimeSpan P95)> TimeAsync(int repeats, Func<int, Task> work)
    {
        for (var i = 0; i < 10; i++)
        {
            await work(i); // warm-up: connections, statement caches
        }

        var times = new List<TimeSpan>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await work(i);
            times.Add(clock.Elapsed);
        }

        times.Sort();
        return (times[repeats / 2], times[(int)(repeats * 0.95)]);
    }

    private static async Task AdminAsync(string connectionString, params string[] statements)
    {
        await using var admin = new NpgsqlConnection(connectionString);
        await admin.OpenAsync();
        foreach (var sql in statements)
        {
            await admin.ExecuteAsync(sql);
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"benchmark invariant broken: {what}");
        }
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:N3} ms";
}
