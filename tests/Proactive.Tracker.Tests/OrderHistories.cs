using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using CsCheck;
using Google.Protobuf;
using Proactive.Tracker.Events;
using Proactive.Tracker.Timeline;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

/// <summary>
/// Random histories of one order as contract events read by the CloudEventReader: snapshots (placed
/// and updated, with and without shipBy, ship-from/to, fulfiller), cancellations, shipments created
/// and tracked (every status, estimates, exceptions) on up to three shipments; few distinct
/// occurredAt values, so ties broken by source and id are common.
/// </summary>
internal static class OrderHistories
{
    public const string Order = "A-7";
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));

    private static readonly string[] Statuses = ["IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERY_ATTEMPTED", "EXCEPTION", "DELIVERED", "RETURNED_TO_SENDER"];
    private static readonly string[] ExceptionCodes = ["WEATHER", "CARRIER_DELAY", "ADDRESS_ISSUE", "CUSTOMS", "DAMAGED", "LOST", "OTHER"];

    private static readonly Gen<DateTimeOffset> At = Gen.Int[0, 8].Select(step => T0.AddHours(6 * step));
    private static readonly Gen<DateTimeOffset?> Later = Gen.Int[1, 8].Select(days => T0.AddDays(days)).Nullable(0.3);
    private static readonly Gen<string> Shipment = Gen.OneOf("S-1", "S-2", "S-10");
    private static readonly Gen<string> IdPrefix = Gen.OneOf("a", "b", "c");

    private static readonly Gen<JsonObject?> Address = Gen.OneOf<Func<JsonObject?>>(
        () => null,
        () => new JsonObject { ["country"] = "KR", ["region"] = "KR-11" },
        () => new JsonObject { ["country"] = "KR", ["region"] = "KR-26", ["postalCode"] = "48058" },
        () => new JsonObject { ["country"] = "BR", ["postalCode"] = "01310" }).Select(make => make());

    private static readonly Gen<Func<int, JsonObject>> Placed = Gen.Select(
        At, Gen.Int[1, 6], Gen.Bool, Later, Gen.Bool, Gen.Select(Address, Address, Gen.OneOf<string?>(null, "seller-1", "seller-2")), Gen.OneOf("shop-orders", "shop-b"), IdPrefix,
        (at, promiseDays, korean, shipBy, updated, where, source, prefix) => (Func<int, JsonObject>)(i =>
        {
            var e = OrderPlaced(Order, at, at.AddDays(promiseDays), korean ? KoreanCustomer() : EnglishCustomer(), shipBy, $"{prefix}-{i}",
                updated ? "proactive.order.updated.v1" : "proactive.order.placed.v1");
            Set(e, "shipFrom", where.Item1);
            Set(e, "shipTo", where.Item2);
            Set(e, "fulfilledBy", where.Item3);
            e["source"] = source;
            return e;
        }));

    private static readonly Gen<Func<int, JsonObject>> Cancelled = Gen.Select(
        At, IdPrefix, (at, prefix) => (Func<int, JsonObject>)(i => OrderCancelled(Order, at, $"{prefix}-{i}")));

    private static readonly Gen<Func<int, JsonObject>> Created = Gen.Select(
        At, Shipment, Later, Gen.OneOf<string?>(null, "express"), Address, IdPrefix,
        (at, shipment, eta, serviceLevel, shipFrom, prefix) => (Func<int, JsonObject>)(i =>
        {
            var e = ShipmentCreated(Order, shipment, at, eta, $"{prefix}-{i}");
            Set(e, "serviceLevel", serviceLevel);
            Set(e, "shipFrom", shipFrom);
            return e;
        }));

    private static readonly Gen<Func<int, JsonObject>> Tracked = Gen.Select(
        At, Shipment, Gen.OneOf(Statuses), Later, Gen.OneOf(ExceptionCodes), Gen.OneOf<string?>(null, "Daejeon Hub", "서울 Hub"), Gen.OneOf("carrier-gateway", "carrier-b"), IdPrefix,
        (at, shipment, status, eta, code, location, source, prefix) => (Func<int, JsonObject>)(i =>
        {
            var e = Tracking(Order, shipment, at, status, eta, status == "EXCEPTION" ? code : null, $"{prefix}-{i}");
            Set(e, "location", location);
            e["source"] = source;
            return e;
        }));

    /// <summary>Now and then an occurredAt finer than the store keeps (whole milliseconds): two of these in one millisecond sort one way as sent, another way as stored.</summary>
    private static readonly Gen<long> SubMillisecond = Gen.Frequency((6, Gen.Const(0L)), (1, Gen.OneOf(4_000L, 9_000L, 12_000L, 1L)));

    /// <summary>One to fourteen events of the order, ids unique per source.</summary>
    public static readonly Gen<InboundEvent[]> History = Gen.Select(Gen.Frequency((3, Placed), (1, Cancelled), (3, Created), (5, Tracked)), SubMillisecond)
        .Array[1, 14]
        .Select(makers => makers.Select((make, i) => Events.Valid(Finer(make.Item1(i), make.Item2))).ToArray());

    /// <summary>The events as the store keeps them (occurredAt in whole milliseconds, TrackerStore.LoadEventsAsync).</summary>
    public static InboundEvent[] Stored(IEnumerable<InboundEvent> events) =>
        events.Select(e => e with { OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(e.OccurredAt.ToUnixTimeMilliseconds()) }).ToArray();

    /// <summary>A history, the order it arrives in, and how it is cut into deliveries.</summary>
    public static readonly Gen<(InboundEvent[] History, InboundEvent[][] Batches)> Arrivals = History.SelectMany(history => Gen.Select(
        Gen.Int.Array[history.Length],
        Gen.Int[1, 4].Array[history.Length],
        (keys, sizes) => (history, Batches(history.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray(), sizes))));

    public static InboundEvent[][] Batches(InboundEvent[] arrival, IReadOnlyList<int> sizes)
    {
        var batches = new List<InboundEvent[]>();
        for (int at = 0, i = 0; at < arrival.Length; i++)
        {
            var size = Math.Min(sizes[i], arrival.Length - at);
            batches.Add(arrival[at..(at + size)]);
            at += size;
        }

        return [.. batches];
    }

    /// <summary>
    /// What the store does per delivery: read the order's snapshot, carry it forward when it can,
    /// else fold every event stored so far (as stored); write the snapshot back. Late: deliveries
    /// carried forward that held an event older than the newest one folded before.
    /// </summary>
    public static (TimelineState State, string Stored, int Appended, int Refused, int Late) Deliver(IEnumerable<InboundEvent[]> batches)
    {
        string? stored = null;
        var events = new List<InboundEvent>();
        TimelineState? state = null;
        var (appended, refused, late) = (0, 0, 0);
        foreach (var batch in batches)
        {
            var read = TimelineSnapshot.Read(stored);
            events.AddRange(batch);
            if (read is not null && read.TryAppend(batch, out var next))
            {
                state = next;
                appended++;
                late += read.Last is { } last && Stored(batch).Any(e => TimelineKey.Of(e) < last) ? 1 : 0;
            }
            else
            {
                refused += read is null ? 0 : 1;
                state = TimelineState.Fold(Order, Stored(events));
            }

            stored = TimelineSnapshot.Write(state);
        }

        return (state!, stored!, appended, refused, late);
    }

    /// <summary>The event with <paramref name="ticks"/> added to its occurredAt.</summary>
    public static JsonObject Finer(JsonObject envelope, long ticks)
    {
        if (ticks != 0)
        {
            var data = (JsonObject)envelope["data"]!;
            var at = DateTimeOffset.Parse(data["occurredAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddTicks(ticks);
            data["occurredAt"] = at.ToString("yyyy-MM-ddTHH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture);
            envelope["time"] = data["occurredAt"]!.DeepClone();
        }

        return envelope;
    }

    private static void Set(JsonObject envelope, string field, JsonNode? value)
    {
        var data = (JsonObject)envelope["data"]!;
        if (value is null)
        {
            data.Remove(field);
        }
        else
        {
            data[field] = value;
        }
    }

    public static void Set(JsonObject envelope, string field, string? value) => Set(envelope, field, value is null ? null : JsonValue.Create(value));
}

/// <summary>
/// Compares timelines member by member, lists element by element (record equality compares them by
/// reference), instants with their offset (DateTimeOffset equality ignores it).
/// </summary>
internal static class Same
{
    public static void ShouldBeSame(this object? actual, object? expected) =>
        Differences(actual, expected, "").ToList().ShouldBeEmpty();

    public static IEnumerable<string> Differences(object? a, object? b, string path)
    {
        if (a is null || b is null)
        {
            if (a is not null || b is not null)
            {
                yield return $"{path}: {a ?? "null"} != {b ?? "null"}";
            }

            yield break;
        }

        if (a.GetType() != b.GetType() && !(a is IEnumerable and not string && b is IEnumerable and not string))
        {
            yield return $"{path}: {a.GetType()} != {b.GetType()}";
            yield break;
        }

        if (a is DateTimeOffset at)
        {
            if (!at.EqualsExact((DateTimeOffset)b))
            {
                yield return $"{path}: {at:O} != {(DateTimeOffset)b:O}";
            }
        }
        else if (a is string or IMessage or Enum || a.GetType().IsPrimitive)
        {
            if (!a.Equals(b))
            {
                yield return $"{path}: {a} != {b}";
            }
        }
        else if (a is IEnumerable items)
        {
            var (left, right) = (items.Cast<object?>().ToList(), ((IEnumerable)b).Cast<object?>().ToList());
            if (left.Count != right.Count)
            {
                yield return $"{path}: {left.Count} items != {right.Count}";
                yield break;
            }

            for (var i = 0; i < left.Count; i++)
            {
                foreach (var difference in Differences(left[i], right[i], $"{path}[{i}]"))
                {
                    yield return difference;
                }
            }
        }
        else if (a.GetType().Namespace == typeof(OrderTimeline).Namespace)
        {
            foreach (var property in a.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            {
                foreach (var difference in Differences(property.GetValue(a), property.GetValue(b), $"{path}.{property.Name}"))
                {
                    yield return difference;
                }
            }
        }
        else if (!a.Equals(b))
        {
            yield return $"{path}: {a} != {b}";
        }
    }
}
