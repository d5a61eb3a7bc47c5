using CsCheck;
using Proactive.Tracker.Events;
using Proactive.Tracker.Timeline;
using static Proactive.Tests.Shared.ContractEvents;
using static Proactive.Tracker.Tests.OrderHistories;
using V1 = Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Tests;

/// <summary>
/// A timeline carried forward delivery by delivery (through its stored snapshot) is exactly the
/// timeline folded from every event at once, whatever the arrival order and however the events are
/// cut into deliveries; a late tracking event or cancellation is folded in, any other late event
/// makes the carry refuse, and the caller folds again.
/// </summary>
public class IncrementalFoldTests
{
    [Fact]
    public void AnyArrivalOrderInAnyDeliveriesCarriesForwardToTheWholeFold()
    {
        var (appended, refused, late) = (0, 0, 0);
        Arrivals.Sample(
            arrival =>
            {
                var delivered = Deliver(arrival.Batches);

                delivered.State.Timeline.ShouldBeSame(OrderTimeline.Fold(Order, Stored(arrival.History)));
                delivered.State.EventCount.ShouldBe(arrival.History.Length);
                delivered.State.Last.ShouldBe(Stored(arrival.History).Select(TimelineKey.Of).Max());
                delivered.State.Keys.ShouldBeSame(TimelineState.Fold(Order, Stored(arrival.History)).Keys);
                TimelineSnapshot.Read(delivered.Stored).ShouldBeSame(delivered.State);
                Interlocked.Add(ref appended, delivered.Appended);
                Interlocked.Add(ref refused, delivered.Refused);
                Interlocked.Add(ref late, delivered.Late);
            },
            iter: 3000,
            print: arrival => string.Join(" | ", arrival.Batches.Select(b => string.Join(", ", b.Select(e => $"{e.Type[10..]} {e.OccurredAt:MM-dd HH} {e.Source}/{e.Id}")))));

        // Every way was taken, many times: carried forward, with late events folded in, and refused (then folded again).
        TestContext.Current.TestOutputHelper?.WriteLine($"{appended} deliveries carried forward ({late} with a late event), {refused} refused");
        appended.ShouldBeGreaterThan(500);
        late.ShouldBeGreaterThan(500);
        refused.ShouldBeGreaterThan(500);
    }

    [Fact]
    public void EveryArrivalOrderAndEveryCutIntoDeliveriesGivesTheWholeFold()
    {
        var placedAt = T0;
        InboundEvent[] history =
        [
            Events.Valid(OrderPlaced(Order, placedAt, T0.AddDays(3), id: "p")),
            Events.Valid(ShipmentCreated(Order, "S-1", T0.AddHours(5), T0.AddDays(2), id: "c1")),
            Events.Valid(Tracking(Order, "S-1", T0.AddHours(5), "IN_TRANSIT", T0.AddDays(3), id: "t1")),
            Events.Valid(Tracking(Order, "S-1", T0.AddHours(5), "EXCEPTION", T0.AddDays(4), "WEATHER", id: "t2")),
            Events.Valid(OrderPlaced(Order, T0.AddHours(5), T0.AddDays(5), type: "proactive.order.updated.v1", id: "u")),
        ];
        var whole = OrderTimeline.Fold(Order, history);
        whole.Shipments.Single().Status.ShouldBe(ShipmentStatus.Exception); // the ties are broken by id: t2 after t1
        var cuts = 0;

        foreach (var arrival in Permutations(history))
        {
            foreach (var sizes in Compositions(history.Length))
            {
                Deliver(Batches(arrival, sizes)).State.Timeline.ShouldBeSame(whole);
                cuts++;
            }
        }

        cuts.ShouldBe(120 * 16);
    }

    [Fact]
    public void EventsWithinOneMillisecondAreCarriedForwardAsTheStoreFoldsThem()
    {
        // Sent, b is earlier (…0004 before …0009); stored, both are 06:00:00.000 and a sorts first by id.
        var a = Events.Valid(Finer(Tracking(Order, "S-1", T0, "IN_TRANSIT", id: "a"), 9_000));
        var b = Events.Valid(Finer(Tracking(Order, "S-1", T0, "DELIVERED", id: "b"), 4_000));
        a.OccurredAt.ShouldBeGreaterThan(b.OccurredAt);

        var delivered = Deliver([[b], [a]]);

        delivered.Late.ShouldBe(1); // a is stored as the earlier one, and folded in as such
        delivered.State.Timeline.ShouldBeSame(OrderTimeline.Fold(Order, Stored([a, b])));
        delivered.State.Timeline.Shipments.Single().Status.ShouldBe(ShipmentStatus.Delivered);
        delivered.State.Timeline.Shipments.Single().StatusAt.ShouldBe(T0);
    }

    [Fact]
    public void FoldGivesWhatTheFoldBeforeTheLeftFoldGave()
    {
        History.SelectMany(h => Gen.Int.Array[h.Length].Select(keys => h.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray())).Sample(
            arrival => OrderTimeline.Fold(Order, arrival).ShouldBeSame(FoldAsItWas(Order, arrival)),
            iter: 2000);
    }

    [Fact]
    public void ALateScanIsFoldedInFieldByFieldAsTheWholeFoldHasIt()
    {
        InboundEvent[] folded =
        [
            Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3))),
            Events.Valid(ShipmentCreated(Order, "S-1", T0.AddHours(5), eta: null)),
            Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT", id: "newer")),
        ];
        var state = TimelineState.Fold(Order, folded);
        var scan = Tracking(Order, "S-1", T0.AddHours(1), "OUT_FOR_DELIVERY", T0.AddDays(4), id: "late");
        Set(scan, "location", "Daejeon Hub");
        var late = Events.Valid(scan);

        state.TryAppend([late], out var next).ShouldBeTrue();

        next.ShouldBeSame(TimelineState.Fold(Order, [.. folded, late]));
        var shipment = next.Timeline.Shipments.Single();
        shipment.Status.ShouldBe(ShipmentStatus.InTransit); // the newer scan's
        shipment.StatusAt.ShouldBe(T0.AddDays(2));
        shipment.EstimatedDeliveryAt.ShouldBe(T0.AddDays(4)); // no newer event gave one
        shipment.Location.ShouldBe("Daejeon Hub"); // no newer scan gave one
        shipment.HandedOverAt.ShouldBe(T0.AddHours(1)); // the oldest hand-over
        next.EventCount.ShouldBe(4);
        next.Last.ShouldBe(state.Last);
    }

    [Fact]
    public void ALateScanOfANewShipmentAndALateCancellationAreFoldedIn()
    {
        InboundEvent[] folded = [Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3))), Events.Valid(OrderCancelled(Order, T0.AddDays(2), "cancel-2"))];
        InboundEvent[] late = [Events.Valid(Tracking(Order, "S-2", T0.AddDays(1), "DELIVERED", id: "s2")), Events.Valid(OrderCancelled(Order, T0.AddDays(1), "cancel-1"))];
        var newer = Events.Valid(Tracking(Order, "S-1", T0.AddDays(3), "IN_TRANSIT", id: "s1"));

        TimelineState.Fold(Order, folded).TryAppend([newer, .. late], out var next).ShouldBeTrue();

        next.ShouldBeSame(TimelineState.Fold(Order, [.. folded, .. late, newer]));
        next.Timeline.CancelledAt.ShouldBe(T0.AddDays(1));
        next.Timeline.Shipments.Select(s => s.ShipmentId).ShouldBe(["S-1", "S-2"]);
    }

    [Fact]
    public void AnyOtherLateEventIsRefused()
    {
        var state = TimelineState.Fold(Order, [Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3))), Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT"))]);
        var newer = Events.Valid(Tracking(Order, "S-1", T0.AddDays(3), "OUT_FOR_DELIVERY"));

        foreach (var late in new[]
        {
            Events.Valid(ShipmentCreated(Order, "S-1", T0.AddDays(1), T0.AddDays(2))),
            Events.Valid(OrderPlaced(Order, T0.AddDays(1), T0.AddDays(5), type: "proactive.order.updated.v1", id: "u")),
        })
        {
            state.TryAppend([late], out var next).ShouldBeFalse();
            next.ShouldBeNull();
            state.TryAppend([newer, late], out _).ShouldBeFalse();
        }

        state.TryAppend([newer], out var carried).ShouldBeTrue();
        carried.Timeline.Shipments.Single().Status.ShouldBe(ShipmentStatus.OutForDelivery);
    }

    [Fact]
    public void ALateScanIsRefusedWhenTheSnapshotHasNoKeys()
    {
        // As an earlier version wrote it: the shipments without their keys.
        var state = TimelineState.Fold(Order, [Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3))), Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT"))]);
        var earlier = TimelineSnapshot.Read(TimelineSnapshot.Write(state with { Keys = null }))!;
        var late = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "OUT_FOR_DELIVERY", id: "late"));
        earlier.Keys.ShouldBeNull();

        earlier.TryAppend([late], out _).ShouldBeFalse();
        TimelineSnapshot.Read(TimelineSnapshot.Write(state))!.TryAppend([late], out _).ShouldBeTrue();
        earlier.TryAppend([Events.Valid(Tracking(Order, "S-1", T0.AddDays(3), "DELIVERED", id: "newer"))], out var carried).ShouldBeTrue();
        carried.Keys.ShouldBeNull(); // still not known: the next late scan folds the order again
    }

    [Fact]
    public void AtTheSameInstantTheSourceThenTheIdDecideWhatIsLater()
    {
        var last = Events.Valid(Tracking(Order, "S-1", T0, "IN_TRANSIT", id: "m"));
        var state = TimelineState.Fold(Order, [last]);

        state.TryAppend([Events.Valid(Tracking(Order, "S-1", T0, "DELIVERED", id: "z"))], out _).ShouldBeTrue();
        // "a" sorts before "m": a late scan, folded in under the newer one.
        state.TryAppend([Events.Valid(Tracking(Order, "S-1", T0, "DELIVERED", id: "a"))], out var merged).ShouldBeTrue();
        merged.Timeline.Shipments.Single().Status.ShouldBe(ShipmentStatus.InTransit);
        var fromLaterSource = Events.Valid(Tracking(Order, "S-1", T0, "DELIVERED", id: "a"));
        fromLaterSource = fromLaterSource with { Source = "carrier-zz" };
        state.TryAppend([fromLaterSource], out var fromLater).ShouldBeTrue();
        fromLater.Timeline.Shipments.Single().Status.ShouldBe(ShipmentStatus.Delivered);
        state.TryAppend([last], out _).ShouldBeFalse(); // already folded in
    }

    [Fact]
    public void TwoNewEventsWithOneKeyAreRefused()
    {
        var state = TimelineState.Start(Order);
        var e = Events.Valid(Tracking(Order, "S-1", T0, "IN_TRANSIT", id: "x"));

        state.TryAppend([e, e], out _).ShouldBeFalse();
        state.TryAppend([e], out var next).ShouldBeTrue();
        next.EventCount.ShouldBe(1);
    }

    [Fact]
    public void NothingNewLeavesTheStateAsItIs()
    {
        var state = TimelineState.Fold(Order, [Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3)))]);

        state.TryAppend([], out var next).ShouldBeTrue();
        next.ShouldBeSameAs(state);
    }

    /// <summary>OrderTimeline.Fold as it was written before it became Start + Apply (commit 83d96a8).</summary>
    private static OrderTimeline FoldAsItWas(string orderId, IEnumerable<InboundEvent> events)
    {
        OrderTerms? terms = null;
        DateTimeOffset? placedAt = null;
        DateTimeOffset? cancelledAt = null;
        var shipments = new Dictionary<string, ShipmentState>(StringComparer.Ordinal);
        ShipmentState Shipment(string id) => shipments.TryGetValue(id, out var existing) ? existing : ShipmentState.Unknown(id);

        var ordered = events
            .OrderBy(e => e.OccurredAt)
            .ThenBy(e => e.Source, StringComparer.Ordinal)
            .ThenBy(e => e.Id, StringComparer.Ordinal);
        foreach (var e in ordered)
        {
            switch (e.Data)
            {
                case V1.OrderSnapshot snapshot:
                    terms = OrderTerms.From(snapshot);
                    placedAt ??= e.OccurredAt;
                    break;
                case V1.OrderCancelled:
                    cancelledAt ??= e.OccurredAt;
                    break;
                case V1.ShipmentCreated created:
                    shipments[created.ShipmentId] = Shipment(created.ShipmentId).Apply(created, e.OccurredAt);
                    break;
                case V1.ShipmentTracking tracking:
                    shipments[tracking.ShipmentId] = Shipment(tracking.ShipmentId).Apply(tracking, e.OccurredAt);
                    break;
            }
        }

        return new OrderTimeline(orderId, terms, cancelledAt, shipments.Values.OrderBy(s => s.ShipmentId, StringComparer.Ordinal).ToList(), placedAt);
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1
            ? [items]
            : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => new[] { item }.Concat(rest).ToArray()));

    /// <summary>Every way to cut n events into deliveries: the sizes, in order.</summary>
    private static IEnumerable<int[]> Compositions(int n) =>
        n == 0 ? [[]] : Enumerable.Range(1, n).SelectMany(first => Compositions(n - first).Select(rest => new[] { first }.Concat(rest).ToArray()));
}
