using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Events;

namespace Proactive.Benchmarks;

/// <summary>
/// Fills a migrated Tracker SQLite store (one a Tracker host has created and left) with N open
/// orders, fast: per order its order.placed event (the payload Tracker stores) and its due-timer
/// row — 1,000 due now, the rest over the next 30 days — as <see cref="TimerBenchmark"/> does for
/// timers. No other per-order rows: whatever Tracker keeps besides is built the first time an order
/// is evaluated. scripts/bench-intake.sh memory then starts the host on it and reads its max RSS.
/// Usage: dotnet run -c Release --project tests/Proactive.Benchmarks -- fill-open-orders 1000000 path/to/tracker.db
/// </summary>
internal static class OpenOrdersFill
{
    private const int DueNow = 1000;
    private const int Rows = 500;
    private const string Template = "MEM-TEMPLATE";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Length < 2)
        {
            output.WriteLine("usage: fill-open-orders <orders> <sqlite file of a migrated Tracker store>");
            return 2;
        }

        var count = int.Parse(args[0].Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow;
        var payload = Payload(now);
        var clock = Stopwatch.StartNew();
        await using var c = new SqliteConnection($"Data Source={args[1]};Pooling=False");
        await c.OpenAsync();
        await using (var tx = (SqliteTransaction)await c.BeginTransactionAsync())
        {
            // Marked as the intake marks what it stores, so the partial index of unmarked events stays
            // empty; the missing snapshot makes each order's first event fold it from its events anyway.
            var events = new Batch(c, tx, "INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload, in_snapshot) VALUES ", 8);
            var timers = new Batch(c, tx, "INSERT INTO tracker_timers (order_id, due_at) VALUES ", 2);

            // Each order's row, its snapshot left out: the first event or timer of an order folds it from its events.
            var rows = new Batch(c, tx, "INSERT INTO tracker_orders (order_id, sequence) VALUES ", 2);
            var random = new Random(42);
            var start = now.AddHours(1).ToMs();
            var span = (long)TimeSpan.FromDays(30).TotalMilliseconds - 3_600_000;
            for (var i = 0; i < count; i++)
            {
                var order = $"MEM-{i:D8}";
                await events.AddAsync("shop-orders", $"{order}-placed", order, "proactive.order.placed.v1", now.AddHours(-3).ToMs(), now.ToMs(), payload.Replace(Template, order, StringComparison.Ordinal), 1);
                await rows.AddAsync(order, 0L);
                await timers.AddAsync(order, i < DueNow ? now.ToMs() - random.NextInt64(3_600_000) : start + random.NextInt64(span));
            }

            await events.FlushAsync();
            await timers.FlushAsync();
            await rows.FlushAsync();
            await tx.CommitAsync();
        }

        output.WriteLine($"filled {count:N0} open orders (events, rows, timers) in {clock.Elapsed.TotalSeconds:N1} s; file {new FileInfo(args[1]).Length / (1024 * 1024):N0} MiB");
        return 0;
    }

    /// <summary>The payload Tracker stores for an order.placed (its data as protobuf JSON), read as intake reads it.</summary>
    private static string Payload(DateTimeOffset now)
    {
        var placed = ContractEvents.OrderPlaced(Template, now.AddHours(-3), now.AddDays(2), id: $"{Template}-placed");
        var read = CloudEventReader.Read(JsonSerializer.SerializeToElement(placed), "orders", EventTimeWindow.Around(now));
        return new JsonFormatter(JsonFormatter.Settings.Default).Format(read.Event!.Data);
    }

    /// <summary>A prepared multi-row INSERT of <see cref="Rows"/> rows, filled and run as rows come, the rest one by one.</summary>
    private sealed class Batch(SqliteConnection c, SqliteTransaction tx, string insert, int columns)
    {
        private readonly SqliteCommand many = Prepare(c, tx, insert, columns, Rows);
        private readonly SqliteCommand one = Prepare(c, tx, insert, columns, 1);
        private readonly List<object[]> pending = new(Rows);

        public async Task AddAsync(params object[] row)
        {
            pending.Add(row);
            if (pending.Count == Rows)
            {
                await RunAsync(many, pending);
                pending.Clear();
            }
        }

        public async Task FlushAsync()
        {
            foreach (var row in pending)
            {
                await RunAsync(one, [row]);
            }

            pending.Clear();
        }

        private static SqliteCommand Prepare(SqliteConnection c, SqliteTransaction tx, string insert, int columns, int rows)
        {
            var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = insert + string.Join(", ", Enumerable.Range(0, rows)
                .Select(r => "(" + string.Join(", ", Enumerable.Range(0, columns).Select(k => $"@p{r}_{k}")) + ")"));
            for (var r = 0; r < rows; r++)
            {
                for (var k = 0; k < columns; k++)
                {
                    command.Parameters.Add(new SqliteParameter($"@p{r}_{k}", null));
                }
            }

            command.Prepare();
            return command;
        }

        private static Task<int> RunAsync(SqliteCommand command, List<object[]> rows)
        {
            var columns = rows[0].Length;
            for (var r = 0; r < rows.Count; r++)
            {
                for (var k = 0; k < columns; k++)
                {
                    command.Parameters[(r * columns) + k].Value = rows[r][k];
                }
            }

            return command.ExecuteNonQueryAsync();
        }
    }
}
