using Proactive.Tracker.Events;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

public class OrderTimelineTests
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset Promise = T0.AddDays(3);

    [Fact]
    public void EveryArrivalOrderGivesTheSameTimeline()
    {
        InboundEvent[] events =
        [
            Events.Valid(OrderPlaced(Order, T0, Promise)),
            Events.Valid(ShipmentCreated(Order, "S-1", T0.AddHours(5), Promise.AddHours(-2))),
            Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "IN_TRANSIT", Promise.AddDays(1))),
            Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "EXCEPTION", Promise.AddDays(2), "WEATHER")),
        ];
        var expected = DelayRules.Assess(OrderTimeline.Fold(Order, events), T0.AddDays(2));

        foreach (var permutation in Permutations(events))
        {
            var timeline = OrderTimeline.Fold(Order, permutation);
            DelayRules.Assess(timeline, T0.AddDays(2)).ShouldBe(expected);
            timeline.Shipments.Single().EstimatedDeliveryAt.ShouldBe(Promise.AddDays(2));
        }
    }

    [Fact]
    public void AnOlderEstimateNeverOverwritesANewerOne()
    {
        var newer = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT", Promise.AddDays(2)));
        var older = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "IN_TRANSIT", Promise.AddHours(-1)));

        var timeline = OrderTimeline.Fold(Order, [newer, older]);

        timeline.Shipments.Single().EstimatedDeliveryAt.ShouldBe(Promise.AddDays(2));
    }

    [Fact]
    public void TheSnapshotWithTheLatestOccurredAtWins()
    {
        var placed = Events.Valid(OrderPlaced(Order, T0, Promise));
        var updated = Events.Valid(OrderPlaced(Order, T0.AddHours(2), Promise.AddDays(2), type: "proactive.order.updated.v1"));

        OrderTimeline.Fold(Order, [updated, placed]).Terms!.PromisedBy.ShouldBe(Promise.AddDays(2));
    }

    [Fact]
    public void ATrackingUpdateThatCameFirstIsAppliedOnceItsShipmentAndOrderArrive()
    {
        var tracking = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "OUT_FOR_DELIVERY", Promise.AddHours(-1)));
        var created = Events.Valid(ShipmentCreated(Order, "S-1", T0.AddHours(5), Promise.AddHours(-5)));

        var shipment = OrderTimeline.Fold(Order, [tracking, created]).Shipments.Single();

        shipment.Status.ShouldBe(ShipmentStatus.OutForDelivery);
        shipment.Carrier.ShouldBe("CJ Logistics");
        shipment.EstimatedDeliveryAt.ShouldBe(Promise.AddHours(-1));
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1
            ? [items]
            : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => new[] { item }.Concat(rest).ToArray()));
}
