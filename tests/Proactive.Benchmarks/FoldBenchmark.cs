using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Events.V1;
using Proactive.Tracker.Events;
using Proactive.Tracker.Timeline;
using TrackingStatus = Proactive.Contracts.Events.V1.ShipmentTracking.Types.Status;

namespace Proactive.Benchmarks;

/// <summary>
/// CPU per new event of an order with n events: folding them all again (as the Tracker did: parse
/// each stored payload, fold) against carrying the stored snapshot forward (read it, append the
/// event, write it). No store: the round trips are the same for both (one read, one write).
/// Usage: dotnet run -c Release --project tests/Proactive.Benchmarks fold
/// </summary>
internal static class FoldBenchmark
{
    public static void Run(TextWriter output)
    {
        output.WriteLine($"fold: µs per new event, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        foreach (var n in new[] { 10, 50 })
        {
            var events = History(n);
            var payloads = events.Select(e => (e, Json: JsonFormatter.Default.Format(e.Data))).ToList();
            var stored = TimelineSnapshot.Write(TimelineState.Fold("B-1", events[..^1]));
            var last = events[^1];
            IReadOnlyList<InboundEvent> newEvents = [last];
            var iterations = 200_000 / n;

            var fold = Time(iterations, () => OrderTimeline.Fold("B-1", events));
            var parseAndFold = Time(iterations, () => OrderTimeline.Fold("B-1", payloads.Select(p => p.e with { Data = JsonParser.Default.Parse(p.Json, p.e.Data.Descriptor) })));
            var carry = Time(iterations, () =>
            {
                TimelineSnapshot.Read(stored)!.TryAppend(newEvents, out var next);
                return TimelineSnapshot.Write(next!);
            });

            output.WriteLine(
                $"{n,3} events: fold {fold:F1} µs, parse payloads + fold {parseAndFold:F1} µs; read + append + write {carry:F1} µs (snapshot {System.Text.Encoding.UTF8.GetByteCount(stored)} bytes)");
        }
    }

    private static double Time<T>(int iterations, Func<T> work)
    {
        for (var i = 0; i < iterations; i++)
        {
            work();
        }

        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++)
            {
                work();
            }

            best = Math.Min(best, clock.Elapsed.TotalMicroseconds / iterations);
        }

        return best;
    }

    /// <summary>An order placed, one shipment created, then tracking scans every few hours.</summary>
    private static InboundEvent[] History(int n)
    {
        var t0 = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        var events = new List<InboundEvent>
        {
            new("shop-orders", "p-1", "proactive.order.placed.v1", "B-1", t0, new OrderSnapshot
            {
                OrderId = "B-1",
                OccurredAt = Timestamp.FromDateTimeOffset(t0),
                PromisedBy = Timestamp.FromDateTimeOffset(t0.AddDays(3)),
                Customer = new Customer { CustomerId = "C-77", Name = "김민지", Phone = "+821012345678", Email = "minji@example.com", Locale = "ko-KR", TimeZone = "Asia/Seoul" },
                TrackingUrl = "https://shop.example/orders/B-1",
            }),
            new("shop-shipping", "c-1", "proactive.shipment.created.v1", "B-1", t0.AddHours(5), new ShipmentCreated
            {
                ShipmentId = "S-1",
                OrderId = "B-1",
                OccurredAt = Timestamp.FromDateTimeOffset(t0.AddHours(5)),
                Carrier = "CJ Logistics",
                TrackingNumber = "5512-3344-9988",
                EstimatedDeliveryAt = Timestamp.FromDateTimeOffset(t0.AddDays(2)),
            }),
        };
        for (var i = 0; events.Count < n; i++)
        {
            var at = t0.AddHours(6 + i);
            events.Add(new InboundEvent("carrier-gateway", $"t-{i}", "proactive.shipment.tracking.v1", "B-1", at, new ShipmentTracking
            {
                ShipmentId = "S-1",
                OrderId = "B-1",
                OccurredAt = Timestamp.FromDateTimeOffset(at),
                Status = i % 5 == 4 ? TrackingStatus.OutForDelivery : TrackingStatus.InTransit,
                Location = "Daejeon Hub",
                EstimatedDeliveryAt = Timestamp.FromDateTimeOffset(t0.AddDays(2).AddHours(i % 3)),
            }));
        }

        return [.. events];
    }
}
