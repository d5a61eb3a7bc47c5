using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

/// <summary>How the delay rules take the model's word, and what the model is told about an order.</summary>
public class PredictedLatenessRulesTests
{
    private const string Order = "A-2001";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset Promise = T0.AddDays(5).AddHours(12);
    private static readonly RuleSettings NoLastCall = RuleSettings.Default with { LastCall = false };

    private static OrderTimeline Timeline(params InboundEvent[] events) => OrderTimeline.Fold(Order, events);

    private static InboundEvent Placed(DateTimeOffset? shipBy = null) => Events.Valid(OrderPlaced(Order, T0, Promise, shipBy: shipBy));

    private static InboundEvent Created(DateTimeOffset at, DateTimeOffset? eta = null) => Events.Valid(ShipmentCreated(Order, "S-1", at, eta));

    [Fact]
    public void AnOrderAtRiskIsPredictedLateWithTheModelsEstimate()
    {
        var estimate = Promise.AddDays(2);

        var verdict = DelayRules.Assess(Timeline(Placed(), Created(T0.AddDays(1))), T0.AddDays(2), NoLastCall, new PredictedLateness(true, 0.8, estimate));

        verdict.State.ShouldBe(OrderState.Late);
        verdict.Reason.ShouldBe(DelayReason.PredictedLate);
        verdict.EstimatedDeliveryAt.ShouldBe(estimate);
    }

    [Fact]
    public void AConfirmedReasonOutranksThePrediction()
    {
        var slipped = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT", Promise.AddDays(1)));

        var verdict = DelayRules.Assess(Timeline(Placed(), Created(T0.AddDays(1)), slipped), T0.AddDays(2), NoLastCall, new PredictedLateness(true, 0.9, Promise.AddDays(3)));

        verdict.Reason.ShouldBe(DelayReason.EtaSlip);
        verdict.EstimatedDeliveryAt.ShouldBe(Promise.AddDays(1), "the carrier's estimate, not the model's");
    }

    [Fact]
    public void ThePredictionOutranksTheLastCall()
    {
        var lastCallDay = new DateTimeOffset(2026, 11, 28, 21, 0, 0, TimeSpan.FromHours(9));

        var verdict = DelayRules.Assess(Timeline(Placed(), Created(T0.AddDays(1))), lastCallDay, RuleSettings.Default, new PredictedLateness(true, 0.7));

        verdict.Reason.ShouldBe(DelayReason.PredictedLate);
        DelayRules.Assess(Timeline(Placed(), Created(T0.AddDays(1))), lastCallDay, RuleSettings.Default).Reason.ShouldBe(DelayReason.PromiseAtRisk);
    }

    [Fact]
    public void AWarningForTheRecordOnlyDoesNotHideTheLastCall()
    {
        var lastCallDay = new DateTimeOffset(2026, 11, 28, 21, 0, 0, TimeSpan.FromHours(9));
        var timeline = Timeline(Placed(), Created(T0.AddDays(1)));

        DelayRules.Assess(timeline, lastCallDay, RuleSettings.Default, new PredictedLateness(true, 0.7, RecordOnly: true)).Reason.ShouldBe(DelayReason.PromiseAtRisk);
        DelayRules.Assess(timeline, lastCallDay.AddDays(-1), RuleSettings.Default, new PredictedLateness(true, 0.7, RecordOnly: true)).Reason.ShouldBe(DelayReason.PredictedLate);
    }

    [Fact]
    public void TheModelsDateIsQuotedUnlessTheCarrierAlreadyGivesOnePastThePromise()
    {
        var timeline = Timeline(Placed(), Created(T0.AddDays(1), eta: Promise.AddHours(-2)));
        var predicted = new PredictedLateness(true, 0.8, Promise.AddDays(2));

        DelayRules.Assess(timeline, T0.AddDays(2), NoLastCall, predicted).EstimatedDeliveryAt.ShouldBe(Promise.AddDays(2));
        var slipped = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT", Promise.AddDays(3)));
        DelayRules.Assess(Timeline(Placed(), Created(T0.AddDays(1)), slipped), T0.AddDays(2), NoLastCall, predicted).EstimatedDeliveryAt.ShouldBe(Promise.AddDays(3));
    }

    [Fact]
    public void ADeliveryScanSaysNothingOfWhenTheCarrierTookTheParcel()
    {
        var delivered = Events.Valid(Tracking(Order, "S-1", T0.AddDays(3), "DELIVERED"));
        var inTransit = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "IN_TRANSIT"));

        OrderFacts.Of(Timeline(Placed(), delivered), TimeZoneInfo.Utc)!.HandedOverAt.ShouldBeNull();
        OrderFacts.Of(Timeline(Placed(), inTransit, delivered), TimeZoneInfo.Utc)!.HandedOverAt.ShouldBe(T0.AddDays(2));
    }

    [Fact]
    public void AMissedShipByIsNewsOnlyWhenTheModelDoesNotSpeakForTheOrder()
    {
        var shipBy = T0.AddDays(1);
        var timeline = Timeline(Placed(shipBy));
        var later = shipBy.AddHours(1);

        DelayRules.Assess(timeline, later, NoLastCall).Reason.ShouldBe(DelayReason.NotShipped);
        DelayRules.Assess(timeline, later, NoLastCall, new PredictedLateness(false, 0.2)).Reason.ShouldBe(DelayReason.NotShipped);
        DelayRules.Assess(timeline, later, NoLastCall, new PredictedLateness(false, 0.2, ShipByYields: true)).State.ShouldBe(OrderState.OnTrack);
        DelayRules.Assess(timeline, later, NoLastCall, new PredictedLateness(true, 0.7, ShipByYields: true)).Reason.ShouldBe(DelayReason.PredictedLate);
    }

    [Fact]
    public void TheModelsNextAssessmentIsTheOrdersTimerWhenItComesFirst()
    {
        var timeline = Timeline(Placed(), Created(T0.AddDays(1)));
        var soon = T0.AddDays(1).AddHours(7);

        DelayRules.Assess(timeline, T0.AddDays(1), NoLastCall, new PredictedLateness(false, 0.1, NextAssessmentAt: soon)).NextCheckAt.ShouldBe(soon);
        DelayRules.Assess(timeline, T0.AddDays(1), NoLastCall, new PredictedLateness(false, 0.1, NextAssessmentAt: Promise.AddDays(9))).NextCheckAt
            .ShouldBe(Promise.AddMilliseconds(1));
    }

    [Fact]
    public void TheModelSeesTheOrderAsPlacedHandedOverAndRouted()
    {
        var placed = OrderPlaced(Order, T0, Promise);
        placed["data"]!["customer"]!["timeZone"] = "Asia/Seoul";
        placed["data"]!["shipFrom"] = new System.Text.Json.Nodes.JsonObject { ["country"] = "KR", ["region"] = "KR-11" };
        placed["data"]!["shipTo"] = new System.Text.Json.Nodes.JsonObject { ["country"] = "KR" };
        placed["data"]!["fulfilledBy"] = "seller-7";
        var updated = OrderPlaced(Order, T0.AddHours(2), Promise, type: "proactive.order.updated.v1");
        updated["data"] = placed["data"]!.DeepClone();
        updated["data"]!["occurredAt"] = Ts(T0.AddHours(2));
        var created = ShipmentCreated(Order, "S-1", T0.AddDays(1), null);
        created["data"]!["serviceLevel"] = "express";

        var facts = OrderFacts.Of(Timeline(Events.Valid(updated), Events.Valid(placed), Events.Valid(created)), TimeZoneInfo.Utc)!;

        facts.PlacedAt.ShouldBe(T0, "the first snapshot, not the update");
        facts.PromisedBy.ShouldBe(Promise);
        facts.HandedOverAt.ShouldBe(T0.AddDays(1));
        facts.Zone.Id.ShouldBe("Asia/Seoul");
        (facts.ShipFrom, facts.ShipTo, facts.FulfilledBy, facts.Carrier, facts.ServiceLevel).ShouldBe(("KR-11", "KR", "seller-7", "CJ Logistics", "express"));
    }

    [Fact]
    public void ACustomerWithoutAZoneIsSeenInTheDefaultZoneAndNothingIsKnownBeforeTheOrder()
    {
        var placed = OrderPlaced(Order, T0, Promise);
        placed["data"]!["customer"]!.AsObject().Remove("timeZone");
        var seoul = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");

        OrderFacts.Of(Timeline(Events.Valid(placed)), seoul)!.Zone.ShouldBe(seoul);
        OrderFacts.Of(Timeline(Created(T0)), seoul).ShouldBeNull();
    }
}
