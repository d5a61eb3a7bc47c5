using Proactive.Tracker.Events;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

public class DelayRulesTests
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset Promise = T0.AddDays(3);

    private static DelayAssessment Assess(DateTimeOffset now, params InboundEvent[] events) =>
        DelayRules.Assess(OrderTimeline.Fold(Order, events), now);

    private static InboundEvent Placed(DateTimeOffset? shipBy = null) => Events.Valid(OrderPlaced(Order, T0, Promise, shipBy: shipBy));

    private static InboundEvent Created(DateTimeOffset eta, string shipment = "S-1") => Events.Valid(ShipmentCreated(Order, shipment, T0.AddHours(5), eta));

    [Fact]
    public void AnOrderWithinItsPromiseIsOnTrack()
    {
        var verdict = Assess(T0.AddHours(6), Placed(), Created(Promise.AddHours(-3)));

        verdict.State.ShouldBe(OrderState.OnTrack);
        verdict.NextCheckAt.ShouldBe(Promise.AddMilliseconds(1));
    }

    [Fact]
    public void AnEtaPastThePromiseIsAnEtaSlip()
    {
        var slipped = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "IN_TRANSIT", Promise.AddDays(2)));

        var verdict = Assess(T0.AddDays(1), Placed(), Created(Promise.AddHours(-3)), slipped);

        verdict.State.ShouldBe(OrderState.Late);
        verdict.Reason.ShouldBe(DelayReason.EtaSlip);
        verdict.EstimatedDeliveryAt.ShouldBe(Promise.AddDays(2));
    }

    [Theory]
    [InlineData("WEATHER", CarrierExceptionCode.Weather, false, false)]
    [InlineData("CARRIER_DELAY", CarrierExceptionCode.CarrierDelay, false, false)]
    [InlineData("ADDRESS_ISSUE", CarrierExceptionCode.AddressIssue, true, false)]
    [InlineData("CUSTOMS", CarrierExceptionCode.Customs, false, false)]
    [InlineData("DAMAGED", CarrierExceptionCode.Damaged, false, true)]
    [InlineData("LOST", CarrierExceptionCode.Lost, false, true)]
    [InlineData("OTHER", CarrierExceptionCode.Other, false, false)]
    public void EveryCarrierExceptionOpensADelay(string code, CarrierExceptionCode expected, bool actionRequired, bool escalate)
    {
        var exception = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "EXCEPTION", exceptionCode: code));

        var verdict = Assess(T0.AddDays(1), Placed(), Created(Promise.AddHours(-3)), exception);

        verdict.State.ShouldBe(OrderState.Late);
        verdict.Reason.ShouldBe(DelayReason.CarrierException);
        verdict.ExceptionCode.ShouldBe(expected);
        verdict.ActionRequired.ShouldBe(actionRequired);
        verdict.Escalate.ShouldBe(escalate);
    }

    [Fact]
    public void ADeliveryAttemptOpensADelay()
    {
        var attempted = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "DELIVERY_ATTEMPTED"));

        Assess(T0.AddDays(2), Placed(), Created(Promise.AddHours(-3)), attempted).Reason.ShouldBe(DelayReason.DeliveryAttempted);
    }

    [Fact]
    public void NotShippedFiresOnlyOnceShipByHasPassedWithoutAShipment()
    {
        var shipBy = T0.AddDays(1);

        var before = Assess(shipBy.AddMinutes(-1), Placed(shipBy));
        before.State.ShouldBe(OrderState.OnTrack);
        before.NextCheckAt.ShouldBe(shipBy.AddMilliseconds(1));

        Assess(shipBy.AddMinutes(1), Placed(shipBy)).Reason.ShouldBe(DelayReason.NotShipped);
        Assess(shipBy.AddMinutes(1), Placed(shipBy), Created(Promise.AddHours(-1))).State.ShouldBe(OrderState.OnTrack);
    }

    [Fact]
    public void AMissedPromiseFiresWhenThePromisePassesUndelivered()
    {
        Assess(Promise.AddMinutes(1), Placed(), Created(Promise.AddHours(-3))).Reason.ShouldBe(DelayReason.MissedPromise);
    }

    [Fact]
    public void DeliveryAndCancellationEndTheMatter()
    {
        var delivered = Events.Valid(Tracking(Order, "S-1", Promise.AddDays(1), "DELIVERED"));
        Assess(Promise.AddDays(1), Placed(), Created(Promise.AddDays(1)), delivered).State.ShouldBe(OrderState.Delivered);

        var cancelled = Events.Valid(OrderCancelled(Order, T0.AddHours(1)));
        Assess(Promise.AddDays(1), Placed(), cancelled).State.ShouldBe(OrderState.Cancelled);
    }

    [Fact]
    public void ASplitDeliveryIsLateIfAnyOpenShipmentIsLate()
    {
        var onTime = Created(Promise.AddHours(-5), "S-1");
        var late = Created(Promise.AddHours(20), "S-2");
        var firstDelivered = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "DELIVERED"));

        var verdict = Assess(T0.AddDays(2), Placed(), onTime, late, firstDelivered);

        verdict.Reason.ShouldBe(DelayReason.EtaSlip);
        verdict.EstimatedDeliveryAt.ShouldBe(Promise.AddHours(20));
    }

    [Fact]
    public void WhenSeveralRulesFireTheOneTheCustomerMustActOnWins()
    {
        var slipped = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "IN_TRANSIT", Promise.AddDays(2)));
        var address = Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "EXCEPTION", Promise.AddDays(3), "ADDRESS_ISSUE"));

        var verdict = Assess(Promise.AddDays(1), Placed(), Created(Promise), slipped, address);

        verdict.Reason.ShouldBe(DelayReason.CarrierException);
        verdict.ActionRequired.ShouldBeTrue();
    }

    [Fact]
    public void NothingIsJudgedBeforeTheOrderItselfArrives()
    {
        var slipped = Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "IN_TRANSIT", Promise.AddDays(2)));

        Assess(T0.AddDays(1), slipped).State.ShouldBe(OrderState.AwaitingOrder);
    }
}
