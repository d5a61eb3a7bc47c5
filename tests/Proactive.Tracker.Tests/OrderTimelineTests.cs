using System.Text.Json.Nodes;
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
    public void TheLatestSnapshotSaysWhereTheOrderShipsFromAndToAndAShipmentsOwnShipFromOverrides()
    {
        var placed = OrderPlaced(Order, T0, Promise);
        placed["data"]!["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-41" };
        placed["data"]!["fulfilledBy"] = "seller-1";
        var updated = OrderPlaced(Order, T0.AddHours(1), Promise, type: "proactive.order.updated.v1");
        updated["data"]!["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-26", ["postalCode"] = "48058" };
        updated["data"]!["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-11" };
        updated["data"]!["fulfilledBy"] = "seller-2";
        var fromElsewhere = ShipmentCreated(Order, "S-1", T0.AddHours(5), null);
        fromElsewhere["data"]!["serviceLevel"] = "express";
        fromElsewhere["data"]!["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-28" };
        var plain = ShipmentCreated(Order, "S-2", T0.AddHours(6), null);

        var timeline = OrderTimeline.Fold(Order, [Events.Valid(updated), Events.Valid(fromElsewhere), Events.Valid(plain), Events.Valid(placed)]);

        timeline.Terms!.ShipFrom.ShouldBe(new Place("KR", "KR-26", "48058"));
        timeline.Terms.ShipTo.ShouldBe(new Place("KR", "KR-11", null));
        timeline.Terms.FulfilledBy.ShouldBe("seller-2");
        var (s1, s2) = (timeline.Shipments[0], timeline.Shipments[1]);
        s1.ServiceLevel.ShouldBe("express");
        timeline.ShipFromOf(s1).ShouldBe(new Place("KR", "KR-28", null));
        s2.ServiceLevel.ShouldBeNull();
        timeline.ShipFromOf(s2).ShouldBe(new Place("KR", "KR-26", "48058"));
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
