using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Proactive.Benchmarks;
using Proactive.Notifier;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Dispatch;
using Proactive.ServiceDefaults;
using Proactive.Standalone;
using Proactive.Tests.Shared;
using Proactive.Tracker;
using Proactive.Tracker.Events;
using Proactive.Tracker.Publishing;

// Measures the store-bound paths on SQLite and PostgreSQL: contract events stored per second
// (validated, de-duplicated, folded, rules applied, committed) and notices dispatched per second
// (claimed, sent through a provider that answers at once, recorded).
// Usage: dotnet run -c Release --project tests/Proactive.Benchmarks [orders] [postgres connection string]
// With "timers" first: the due-timer queue with many open orders (TimerBenchmark.cs).
// With "synth" first: writes a synthetic shop history for the replay (SynthCommand.cs).
// With "read-only" first: reads and validates a replay input without replaying it (SynthCommand.cs).
// With "fold" first: CPU of folding an order again against carrying its snapshot forward (FoldBenchmark.cs).
if (args.Length > 0 && args[0] == "fold")
{
    FoldBenchmark.Run(Console.Out);
    return;
}

// With "read" first: the CPU and allocations of reading one event (ReadBenchmark.cs).
// With "fill-open-orders" first: fills a migrated Tracker SQLite store with N open orders (OpenOrdersFill.cs).
if (args.Length > 0 && args[0] == "timers")
{
    await TimerBenchmark.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "synth")
{
    Environment.ExitCode = await SynthCommand.RunAsync(args[1..], Console.Out);
    return;
}

if (args.Length > 0 && args[0] == "read")
{
    Environment.ExitCode = ReadBenchmark.Run(args[1..], Console.Out);
    return;
}

if (args.Length > 0 && args[0] == "fill-open-orders")
{
    Environment.ExitCode = await OpenOrdersFill.RunAsync(args[1..], Console.Out);
    return;
}

if (args.Length > 0 && args[0] == "read-only")
{
    Environment.ExitCode = await ReadOnlyCommand.RunAsync(args[1..], Console.Out);
    return;
}

var orders = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var postgres = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("PROACTIVE_TEST_POSTGRES");

Console.WriteLine($"{orders} orders x 3 events, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
await RunAsync("SQLite", new Dictionary<string, string?>
{
    ["ConnectionStrings:Proactive"] = $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("proactive-bench").FullName, "bench.db")}",
});
if (!string.IsNullOrEmpty(postgres))
{
    var name = $"proactive_bench_{Guid.NewGuid():N}";
    await using (var admin = new NpgsqlConnection(postgres))
    {
        await admin.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {name}", admin).ExecuteNonQueryAsync();
    }

    await RunAsync("PostgreSQL", new Dictionary<string, string?>
    {
        ["Proactive:Store"] = "Postgres",
        ["ConnectionStrings:Proactive"] = new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString,
    });
}

async Task RunAsync(string store, Dictionary<string, string?> settings)
{
    await using var app = await BenchmarkHost.StartAsync(settings, services =>
    {
        services.RemoveAll<INoticeSender>();
        services.AddSingleton<INoticeSender>(new InstantSender(Channel.Sms));
        services.AddSingleton<INoticeSender>(new InstantSender(Channel.Email));
    });

    var now = DateTimeOffset.UtcNow;
    var events = Enumerable.Range(0, orders).SelectMany(i =>
    {
        var order = $"B-{i}";
        return new[]
        {
            ContractEvents.OrderPlaced(order, now.AddHours(-3), now.AddDays(2), id: $"{order}-p"),
            ContractEvents.ShipmentCreated(order, "S-1", now.AddHours(-2), now.AddDays(1), id: $"{order}-c"),
            ContractEvents.Tracking(order, "S-1", now.AddHours(-1), "IN_TRANSIT", now.AddDays(4), id: $"{order}-t"),
        };
    }).Select(e =>
    {
        var topic = e["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders";
        return CloudEventReader.Read(JsonSerializer.SerializeToElement(e), topic, EventTimeWindow.Around(now)).Event!;
    }).ToList();

    var tracker = app.Services.GetRequiredService<OrderTracker>();
    var stored = Stopwatch.StartNew();
    await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, ct) => await tracker.HandleAsync(e, ct));
    stored.Stop();

    var relayed = Stopwatch.StartNew();
    var episodes = await app.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(CancellationToken.None);
    relayed.Stop();

    var dispatched = Stopwatch.StartNew();
    var sent = await app.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(CancellationToken.None);
    dispatched.Stop();
    await app.StopAsync();

    Console.WriteLine($"| {store} | {events.Count / stored.Elapsed.TotalSeconds:N0} events/s ({events.Count} in {stored.Elapsed.TotalSeconds:N1} s, 8 concurrent) "
        + $"| {episodes / relayed.Elapsed.TotalSeconds:N0} episodes/s relayed to Notifier ({episodes}) "
        + $"| {sent / dispatched.Elapsed.TotalSeconds:N0} notices/s dispatched ({sent} in {dispatched.Elapsed.TotalSeconds:N1} s) |");
}

/// <summary>A provider that accepts every message at once, so the numbers are Proactive's own.</summary>
internal sealed class InstantSender(Channel channel) : INoticeSender
{
    public Channel Channel => channel;

    public string Provider => "instant";

    public double MessagesPerSecond => 0;

    public Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken) =>
        Task.FromResult(SendResult.Sent(notice.NoticeId));
}
