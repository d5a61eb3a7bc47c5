using System.Text.Json.Nodes;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tests.Shared;

/// <summary>One event of a generated history: when it happens, its topic, and the contract CloudEvent.</summary>
public sealed record HistoryEvent(DateTimeOffset At, string Topic, JsonObject CloudEvent);

/// <summary>
/// A seeded, time-ordered shop history in contract CloudEvents: lanes with their own transit times,
/// carriers and service levels, sellers with their own handling times, a slow peak month, a strike week
/// at one carrier, padded promises, scans from some carriers, cancellations and lost parcels.
/// The same seed gives the same events.
/// </summary>
public static class SyntheticHistory
{
    public const string Zone = "Europe/Berlin";
    public const string StrikingCarrier = "Swiftpost";

    /// <summary>Orders are placed over this many days from <see cref="DefaultStart"/>.</summary>
    public const int SpanDays = 240;

    public static readonly DateTimeOffset DefaultStart = new(2025, 6, 2, 0, 0, 0, TimeSpan.FromHours(2));

    /// <summary>The strike: parcels of <see cref="StrikingCarrier"/> do not move for these 7 days.</summary>
    public static DateTimeOffset StrikeStart(DateTimeOffset start) => start.AddDays(150);

    /// <summary>Transit is 1.6 times slower for parcels handed over in this month (days 170–200).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Peak(DateTimeOffset start) => (start.AddDays(170), start.AddDays(200));

    private static readonly string[] Regions = ["DE-BE", "DE-BY", "DE-HH", "DE-NW", "DE-SN", "DE-BW"];

    private sealed record Carrier(string Name, string[] Levels, double[] Speed, bool Scans);

    private static readonly Carrier[] Carriers =
    [
        new("Parcelo", ["standard", "express"], [1.0, 0.55], true),
        new(StrikingCarrier, ["standard"], [1.1], false),
        new("Cargonaut", ["standard", "economy"], [0.95, 1.5], true),
    ];

    private sealed record Seller(string Id, string Region, double HandlingDays);

    public static IReadOnlyList<HistoryEvent> Generate(int orders, int seed, DateTimeOffset? start = null)
    {
        var t0 = start ?? DefaultStart;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var random = new Random(seed);
        var lanes = new double[Regions.Length, Regions.Length];
        for (var i = 0; i < Regions.Length; i++)
        {
            for (var j = 0; j < Regions.Length; j++)
            {
                lanes[i, j] = i == j ? 0.8 + 0.4 * random.NextDouble() : 1.5 + 3.5 * random.NextDouble();
            }
        }

        var sellers = Enumerable.Range(0, 40)
            .Select(i => new Seller($"seller-{i:D2}", Regions[random.Next(Regions.Length)], 0.3 + 3.2 * random.NextDouble() * random.NextDouble()))
            .ToArray();
        var strike = StrikeStart(t0);
        var peak = Peak(t0);

        var events = new List<HistoryEvent>();
        for (var n = 0; n < orders; n++)
        {
            var orderId = $"SYN-{seed}-{n:D6}";
            var placed = Daytime(zone, t0.AddDays(SpanDays * random.NextDouble()), random);
            var seller = sellers[random.Next(sellers.Length)];
            var to = random.Next(Regions.Length);
            var from = Array.IndexOf(Regions, seller.Region);
            var carrier = Carriers[random.Next(Carriers.Length)];
            var level = random.Next(carrier.Levels.Length);
            var expectedTransit = lanes[from, to] * carrier.Speed[level];

            // Padded promise: the expected handling and transit, a third more and two days, at the end of a weekday.
            var promise = EndOfWeekday(zone, placed.AddDays(1.35 * (seller.HandlingDays + expectedTransit) + 2));
            var customer = new JsonObject
            {
                ["customerId"] = $"C-{n:D6}",
                ["phone"] = EnglishPhone,
                ["email"] = EnglishEmail,
                ["locale"] = "de-DE",
                ["timeZone"] = Zone,
            };
            var placedEvent = OrderPlaced(orderId, placed, promise, customer, shipBy: placed.AddDays(seller.HandlingDays + 2), id: $"{orderId}-placed");
            var data = placedEvent["data"]!.AsObject();
            data["shipFrom"] = Place(seller.Region, random);
            data["shipTo"] = Place(Regions[to], random);
            data["fulfilledBy"] = seller.Id;
            events.Add(new(placed, "orders", placedEvent));

            var handedOver = SkipSunday(zone, placed.AddDays(seller.HandlingDays * LogNormal(random, 0.5)));
            if (random.NextDouble() < 0.02)
            {
                var cancelled = placed.AddDays((handedOver - placed).TotalDays * random.NextDouble());
                events.Add(new(cancelled, "orders", OrderCancelled(orderId, cancelled, id: $"{orderId}-cancelled")));
                continue;
            }

            var shipmentId = $"S-{orderId}";
            var created = ShipmentCreated(orderId, shipmentId, handedOver, eta: null, id: $"{orderId}-shipped");
            created["data"]!["carrier"] = carrier.Name;
            created["data"]!["serviceLevel"] = carrier.Levels[level];
            created["data"]!["trackingNumber"] = $"TN{seed}{n:D7}";
            events.Add(new(handedOver, "shipments", created));

            var transitDays = expectedTransit * LogNormal(random, 0.35);
            if (handedOver >= peak.From && handedOver < peak.To)
            {
                transitDays *= 1.6;
            }

            var delivered = handedOver.AddDays(transitDays);
            if (carrier.Name == StrikingCarrier && handedOver < strike.AddDays(7) && delivered > strike)
            {
                delivered = delivered.AddDays(7);
            }

            delivered = Max(SkipSunday(zone, Daytime(zone, delivered, random)), handedOver.AddHours(3));
            var lost = random.NextDouble() < 0.01;
            if (carrier.Scans)
            {
                var scanAt = handedOver + (delivered - handedOver) * 0.4;
                events.Add(new(scanAt, "shipments", Tracking(orderId, shipmentId, scanAt, "IN_TRANSIT", id: $"{orderId}-scan")));
                if (!lost)
                {
                    var outAt = Max(scanAt, delivered.AddHours(-5));
                    events.Add(new(outAt, "shipments", Tracking(orderId, shipmentId, outAt, "OUT_FOR_DELIVERY", id: $"{orderId}-out")));
                }
            }

            if (!lost)
            {
                events.Add(new(delivered, "shipments", Tracking(orderId, shipmentId, delivered, "DELIVERED", id: $"{orderId}-delivered")));
            }
        }

        // Whole seconds, as the events carry them; ties keep the order in which they were made.
        return [.. events.Select((e, i) => (e: e with { At = Seconds(e.At) }, i)).OrderBy(x => x.e.At.UtcTicks).ThenBy(x => x.i).Select(x => x.e)];
    }

    /// <summary>One line of JSON per event, with its topic, as in shared/data/olist-history/events.jsonl.</summary>
    public static IEnumerable<string> ToJsonLines(IEnumerable<HistoryEvent> events) =>
        events.Select(e =>
        {
            var line = e.CloudEvent.DeepClone().AsObject();
            line["topic"] = e.Topic;
            return line.ToJsonString();
        });

    private static JsonObject Place(string region, Random random) => new()
    {
        ["country"] = "DE",
        ["region"] = region,
        ["postalCode"] = random.Next(10000, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static double LogNormal(Random random, double sigma)
    {
        // Box–Muller; median 1.
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Exp(sigma * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
    }

    // Moves an instant into 08:00–20:00 local of its day, at a random minute, keeping its date.
    private static DateTimeOffset Daytime(TimeZoneInfo zone, DateTimeOffset at, Random random)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone).DateTime.Date.AddHours(8 + 12 * random.NextDouble());
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static DateTimeOffset SkipSunday(TimeZoneInfo zone, DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, zone).DayOfWeek == DayOfWeek.Sunday ? at.AddDays(1) : at;

    private static DateTimeOffset EndOfWeekday(TimeZoneInfo zone, DateTimeOffset at)
    {
        var date = TimeZoneInfo.ConvertTime(at, zone).DateTime.Date;
        while (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            date = date.AddDays(1);
        }

        var local = date.AddHours(23).AddMinutes(59).AddSeconds(59);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static DateTimeOffset Seconds(DateTimeOffset at) => at.AddTicks(-(at.UtcTicks % TimeSpan.TicksPerSecond));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
