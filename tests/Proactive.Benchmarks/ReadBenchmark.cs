using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tests.Shared;
using Proactive.Tracker.Events;

namespace Proactive.Benchmarks;

/// <summary>
/// The CPU and allocations of reading one event (envelope, data, contract checks) as Tracker's intake
/// does it, on the load tool's event (order.placed as Dapr's AppCallback hands it over), a shipment.tracking event the
/// same way, and order.placed in structured JSON (the standalone ingest).
/// Usage: read [iterations per round, default 20000]
/// </summary>
internal static class ReadBenchmark
{
    private const int Rounds = 5;

    public static int Run(string[] args, TextWriter console)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var now = DateTimeOffset.UtcNow;
        var window = EventTimeWindow.Around(now);
        console.WriteLine($"{iterations} reads per round, median of {Rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        console.WriteLine("| event | µs/event | bytes/event |");
        console.WriteLine("|---|---|---|");

        var placed = LoadToolEvent(now, 42);
        Measure(console, "order.placed, Dapr (load tool's event)", iterations,
            () => CloudEventReader.Read(DaprCloudEvents.ToCloudEvent(placed), "orders", window));

        var tracking = DaprRequest(ContractEvents.Tracking("O-1", "S-1", now.AddHours(-1), "EXCEPTION", now.AddDays(2), "WEATHER"), "shipments");
        Measure(console, "shipment.tracking, Dapr", iterations,
            () => CloudEventReader.Read(DaprCloudEvents.ToCloudEvent(tracking), "shipments", window));

        var structured = JsonSerializer.SerializeToElement(ContractEvents.OrderPlaced("O-2", now.AddHours(-1), now.AddDays(3)));
        Measure(console, "order.placed, structured JSON (standalone)", iterations,
            () => CloudEventReader.Read(structured, "orders", window));
        return 0;
    }

    /// <summary>What /work/shared/tools/appcallback-load sends: order.placed of a new order, data as JSON bytes.</summary>
    private static TopicEventRequest LoadToolEvent(DateTimeOffset now, long n)
    {
        var id = $"LOAD-1-{n}";
        var data = $"{{\"orderId\":\"{id}\",\"occurredAt\":\"{now:O}\",\"promisedBy\":\"{now.AddDays(3):O}\",\"customer\":{{\"customerId\":\"C-{n}\",\"phone\":\"+8210{n % 100000000:D8}\",\"email\":\"c{n}@load.example\",\"locale\":\"ko-KR\",\"timeZone\":\"Asia/Seoul\"}}}}";
        return new TopicEventRequest
        {
            Id = Guid.NewGuid().ToString(), Source = "load", Type = "proactive.order.placed.v1", SpecVersion = "1.0",
            DataContentType = "application/json", Topic = "orders", PubsubName = "pubsub", Data = ByteString.CopyFromUtf8(data),
        };
    }

    private static TopicEventRequest DaprRequest(System.Text.Json.Nodes.JsonObject envelope, string topic) => new()
    {
        Id = envelope["id"]!.GetValue<string>(), Source = envelope["source"]!.GetValue<string>(), Type = envelope["type"]!.GetValue<string>(),
        SpecVersion = "1.0", DataContentType = "application/json", Topic = topic, PubsubName = "pubsub",
        Data = ByteString.CopyFromUtf8(envelope["data"]!.ToJsonString()),
    };

    private static void Measure(TextWriter console, string name, int iterations, Func<CloudEventReader.Result> read)
    {
        if (read().Event is null)
        {
            throw new InvalidOperationException($"{name}: refused");
        }

        Time(read, iterations / 4);
        var rounds = Enumerable.Range(0, Rounds).Select(_ => Time(read, iterations)).ToList();
        var median = Median(rounds);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median.Micros:0.0} | {median.Bytes:N0} |"));
    }

    private static (double Micros, double Bytes) Median(List<(double Micros, double Bytes)> rounds) =>
        (rounds.Select(r => r.Micros).Order().ElementAt(rounds.Count / 2), rounds.Select(r => r.Bytes).Order().ElementAt(rounds.Count / 2));

    private static (double Micros, double Bytes) Time(Func<CloudEventReader.Result> read, int iterations)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            if (read().Event is null)
            {
                throw new InvalidOperationException("refused");
            }
        }

        return (watch.Elapsed.TotalMicroseconds / iterations, (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations);
    }
}
