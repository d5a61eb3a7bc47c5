using Proactive.Tracker.Episodes;
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

    /// <summary>
    /// The other rules, without the last call: the promise here is 09:00 Seoul, so the last call
    /// would fire a day before it and hide them (it has tests of its own below).
    /// </summary>
    private static readonly RuleSettings Others = RuleSettings.Default with { LastCall = false };

    private static DelayAssessment Assess(DateTimeOffset now, params InboundEvent[] events) =>
        DelayRules.Assess(OrderTimeline.Fold(Order, events), now, Others);

    private static InboundEvent Placed(DateTimeOffset? shipBy = null, DateTimeOffset? promise = null) =>
        Events.Valid(OrderPlaced(Order, T0, promise ?? Promise, shipBy: shipBy));

    private static InboundEvent Scan(DateTimeOffset at, string status = "IN_TRANSIT", string shipment = "S-1", DateTimeOffset? eta = null, string? code = null) =>
        Events.Valid(Tracking(Order, shipment, at, status, eta, code));

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

    // The stalled rule: with the default 48 h, a parcel last scanned at T0+12h (promise at T0+72h)
    // stalls at T0+60h: 48 h without an update, and the promise within 48 h from then.
    private static readonly DateTimeOffset LastScan = T0.AddHours(12);
    private static readonly DateTimeOffset StalledAt = LastScan.AddHours(48);

    [Fact]
    public void AParcelInTransitStallsExactlyStallAfterAfterItsLastUpdate()
    {
        var events = new[] { Placed(), Created(Promise.AddHours(-3)), Scan(LastScan) };

        var before = Assess(StalledAt.AddMilliseconds(-1), events);
        before.State.ShouldBe(OrderState.OnTrack);
        before.NextCheckAt.ShouldBe(StalledAt);

        var at = Assess(StalledAt, events);
        at.State.ShouldBe(OrderState.Late);
        at.Reason.ShouldBe(DelayReason.Stalled);
        at.Carrier.ShouldBe("CJ Logistics");
        at.NextCheckAt.ShouldBe(Promise.AddMilliseconds(1));
    }

    [Fact]
    public void AParcelWhosePromiseIsFurtherAwayThanStallAfterDoesNotStallYet()
    {
        var farPromise = T0.AddDays(10);
        var events = new[] { Placed(promise: farPromise), Created(farPromise.AddHours(-3)), Scan(LastScan) };

        var quiet = Assess(LastScan.AddDays(5), events);
        quiet.State.ShouldBe(OrderState.OnTrack);
        quiet.NextCheckAt.ShouldBe(farPromise.AddHours(-48));

        Assess(farPromise.AddHours(-48).AddMilliseconds(-1), events).State.ShouldBe(OrderState.OnTrack);
        Assess(farPromise.AddHours(-48), events).Reason.ShouldBe(DelayReason.Stalled);
    }

    [Theory]
    [InlineData("IN_TRANSIT", null, DelayReason.Stalled)]
    [InlineData("OUT_FOR_DELIVERY", null, DelayReason.Stalled)]
    [InlineData("DELIVERY_ATTEMPTED", null, DelayReason.DeliveryAttempted)]
    [InlineData("EXCEPTION", "WEATHER", DelayReason.CarrierException)]
    [InlineData("RETURNED_TO_SENDER", null, DelayReason.ReturnedToSender)]
    public void OnlyAParcelInTransitOrOutForDeliveryCanStall(string status, string? code, DelayReason reason)
    {
        var events = new[] { Placed(), Created(Promise.AddHours(-3)), Scan(LastScan, status, code: code) };

        Assess(StalledAt, events).Reason.ShouldBe(reason);
        Assess(LastScan, events).NextCheckAt.ShouldBe(reason == DelayReason.Stalled ? StalledAt : Promise.AddMilliseconds(1));
    }

    [Fact]
    public void AShipmentWithoutTrackingOrADeliveredOneDoesNotStall()
    {
        var created = new[] { Placed(), Created(Promise.AddHours(-3)) };
        var quiet = Assess(StalledAt, created);
        quiet.State.ShouldBe(OrderState.OnTrack);
        quiet.NextCheckAt.ShouldBe(Promise.AddMilliseconds(1));

        var delivered = new[] { Placed(), Created(Promise.AddHours(-3)), Scan(LastScan.AddHours(-1)), Scan(LastScan, "DELIVERED") };
        var done = Assess(StalledAt, delivered);
        done.State.ShouldBe(OrderState.Delivered);
        done.NextCheckAt.ShouldBeNull();
    }

    [Fact]
    public void ANewTrackingUpdateEndsTheStallAndMovesItsTimer()
    {
        var events = new[] { Placed(), Created(Promise.AddHours(-3)), Scan(LastScan) };
        var stalled = Assess(StalledAt, events);
        var episode = EpisodeTransitions.Next(Order, null, 0, stalled, StalledAt)!.Episode;
        episode.Reason.ShouldBe(DelayReason.Stalled);

        var moving = StalledAt.AddHours(1);
        var updated = events.Append(Scan(moving)).ToArray();
        var verdict = Assess(moving, updated);

        verdict.State.ShouldBe(OrderState.OnTrack);
        verdict.NextCheckAt.ShouldBe(Promise.AddMilliseconds(1));
        var change = EpisodeTransitions.Next(Order, episode, 1, verdict, moving)!;
        change.Kind.ShouldBe(EpisodeChangeKind.Resolved);
        change.Episode.Resolution.ShouldBe(Resolution.Recovered);

        // Quiet again: past the promise it is a missed promise until StallAfter since the new update.
        Assess(Promise.AddMilliseconds(1), updated).Reason.ShouldBe(DelayReason.MissedPromise);
        Assess(Promise.AddMilliseconds(1), updated).NextCheckAt.ShouldBe(moving.AddHours(48));
        Assess(moving.AddHours(48), updated).Reason.ShouldBe(DelayReason.Stalled);
    }

    [Fact]
    public void StallAfterIsConfigurable()
    {
        var timeline = OrderTimeline.Fold(Order, [Placed(), Created(Promise.AddHours(-3)), Scan(LastScan)]);
        var day = Others with { StallAfter = TimeSpan.FromHours(24) };

        // 24 h after the last update is T0+36h, but the promise is then still 36 h away: it stalls 24 h before it.
        DelayRules.Assess(timeline, LastScan, day).NextCheckAt.ShouldBe(Promise.AddHours(-24));
        DelayRules.Assess(timeline, Promise.AddHours(-24).AddMilliseconds(-1), day).State.ShouldBe(OrderState.OnTrack);
        DelayRules.Assess(timeline, Promise.AddHours(-24), day).Reason.ShouldBe(DelayReason.Stalled);
        DelayRules.Assess(timeline, Promise.AddHours(-24), Others).State.ShouldBe(OrderState.OnTrack);
    }

    [Fact]
    public void EachOpenShipmentStallsOnItsOwnClock()
    {
        var events = new[]
        {
            Placed(), Created(Promise.AddHours(-3), "S-1"), Created(Promise.AddHours(-3), "S-2"),
            Scan(LastScan, shipment: "S-1"), Scan(LastScan.AddHours(5), shipment: "S-2"),
        };

        Assess(LastScan.AddHours(5), events).NextCheckAt.ShouldBe(StalledAt);
        Assess(StalledAt, events).Reason.ShouldBe(DelayReason.Stalled);

        var firstDelivered = events.Append(Scan(StalledAt.AddHours(-1), "DELIVERED", "S-1")).ToArray();
        Assess(StalledAt.AddHours(-1), firstDelivered).NextCheckAt.ShouldBe(StalledAt.AddHours(5));
        Assess(StalledAt, firstDelivered).State.ShouldBe(OrderState.OnTrack);
    }

    [Fact]
    public void AStallRanksBelowAnEtaSlipAndAboveAMissedPromise()
    {
        var slipped = new[] { Placed(), Created(Promise.AddHours(-3)), Scan(LastScan, eta: Promise.AddDays(2)) };
        Assess(StalledAt, slipped).Reason.ShouldBe(DelayReason.EtaSlip);

        var quiet = new[] { Placed(), Created(Promise.AddHours(-3)), Scan(LastScan) };
        Assess(Promise.AddDays(1), quiet).Reason.ShouldBe(DelayReason.Stalled);
    }

    // The last call. Seoul is UTC+9 all year: 18:00 Seoul on 26 November is 09:00 UTC.
    private static readonly DateTimeOffset EveningPromise = new(2026, 11, 26, 18, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset NineInSeoul = new(2026, 11, 26, 9, 0, 0, TimeSpan.FromHours(9));

    private static DelayAssessment Call(DateTimeOffset now, RuleSettings? settings = null, params InboundEvent[] events) =>
        DelayRules.Assess(OrderTimeline.Fold(Order, events), now, settings ?? RuleSettings.Default);

    private static InboundEvent PlacedBy(DateTimeOffset promise, bool withZone = true)
    {
        var customer = KoreanCustomer();
        if (!withZone)
        {
            customer.Remove("timeZone");
        }

        return Events.Valid(OrderPlaced(Order, T0, promise, customer));
    }

    [Fact]
    public void TheLastCallFiresAtNineOnThePromiseDayInTheCustomersZoneWithItsOwnTimer()
    {
        InboundEvent[] events = [PlacedBy(EveningPromise), Created(EveningPromise.AddHours(-3))];

        var before = Call(NineInSeoul.AddMilliseconds(-1), null, events);
        before.State.ShouldBe(OrderState.OnTrack);
        before.NextCheckAt.ShouldBe(NineInSeoul);

        var at = Call(NineInSeoul, null, events);
        at.State.ShouldBe(OrderState.Late);
        at.Reason.ShouldBe(DelayReason.PromiseAtRisk);
        at.NextCheckAt.ShouldBe(EveningPromise.AddMilliseconds(1));
        Call(EveningPromise.AddMinutes(1), null, events).Reason.ShouldBe(DelayReason.MissedPromise);
    }

    [Fact]
    public void APromiseAtOrBeforeNineGetsItsLastCallAtNineTheDayBefore()
    {
        foreach (var promise in new[] { NineInSeoul, NineInSeoul.AddHours(-1), NineInSeoul.AddHours(-9) })
        {
            var dayBefore = NineInSeoul.AddDays(-1);
            Call(dayBefore.AddMilliseconds(-1), null, PlacedBy(promise)).NextCheckAt.ShouldBe(dayBefore, $"promise {promise}");
            Call(dayBefore, null, PlacedBy(promise)).Reason.ShouldBe(DelayReason.PromiseAtRisk, $"promise {promise}");
        }

        Call(NineInSeoul, null, PlacedBy(NineInSeoul.AddMinutes(1))).Reason.ShouldBe(DelayReason.PromiseAtRisk);
        Call(NineInSeoul.AddMilliseconds(-1), null, PlacedBy(NineInSeoul.AddMinutes(1))).State.ShouldBe(OrderState.OnTrack);
    }

    [Fact]
    public void ACustomerWithoutAZoneIsCalledAtNineInTheDefaultZone()
    {
        var nineUtc = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var nineInNewYork = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.FromHours(-5));
        var promise = new DateTimeOffset(2026, 11, 26, 23, 0, 0, TimeSpan.FromHours(-5));

        Call(nineUtc.AddMilliseconds(-1), null, PlacedBy(promise, withZone: false)).NextCheckAt.ShouldBe(nineUtc);
        Call(nineUtc, null, PlacedBy(promise, withZone: false)).Reason.ShouldBe(DelayReason.PromiseAtRisk);
        var newYork = RuleSettings.Default with { DefaultTimeZone = "America/New_York" };
        Call(nineUtc, newYork, PlacedBy(promise, withZone: false)).State.ShouldBe(OrderState.OnTrack);
        Call(nineInNewYork, newYork, PlacedBy(promise, withZone: false)).Reason.ShouldBe(DelayReason.PromiseAtRisk);
    }

    [Theory]
    [InlineData("OUT_FOR_DELIVERY", OrderState.OnTrack)]
    [InlineData("DELIVERED", OrderState.Delivered)]
    public void AParcelOutForDeliveryOrDeliveredGetsNoLastCall(string status, OrderState state)
    {
        InboundEvent[] events = [PlacedBy(EveningPromise), Created(EveningPromise.AddHours(-3)), Scan(NineInSeoul.AddHours(-2), status)];

        var verdict = Call(NineInSeoul.AddHours(1), null, events);

        verdict.State.ShouldBe(state);
        if (state == OrderState.OnTrack)
        {
            verdict.NextCheckAt.ShouldBe(EveningPromise.AddMilliseconds(1));
        }
    }

    [Fact]
    public void ACancelledOrderGetsNoLastCall()
    {
        var cancelled = Events.Valid(OrderCancelled(Order, T0.AddDays(1)));

        Call(NineInSeoul.AddHours(1), null, PlacedBy(EveningPromise), cancelled).State.ShouldBe(OrderState.Cancelled);
    }

    [Fact]
    public void TheLastCallRanksBelowEveryOtherReason()
    {
        var notShipped = Events.Valid(OrderPlaced(Order, T0, EveningPromise, shipBy: T0.AddDays(1)));
        Call(NineInSeoul.AddHours(1), null, notShipped).Reason.ShouldBe(DelayReason.NotShipped);

        var slipped = Scan(T0.AddDays(1), eta: EveningPromise.AddDays(2));
        Call(NineInSeoul.AddHours(1), null, PlacedBy(EveningPromise), Created(EveningPromise.AddHours(-3)), slipped).Reason.ShouldBe(DelayReason.EtaSlip);
    }

    [Fact]
    public void TheLastCallCanBeMovedOrTurnedOff()
    {
        InboundEvent[] events = [PlacedBy(EveningPromise)];
        var halfTen = RuleSettings.Default with { LastCallAt = new TimeOnly(10, 30) };

        Call(NineInSeoul.AddMinutes(89), halfTen, events).NextCheckAt.ShouldBe(NineInSeoul.AddMinutes(90));
        Call(NineInSeoul.AddMinutes(90), halfTen, events).Reason.ShouldBe(DelayReason.PromiseAtRisk);

        var off = Call(EveningPromise.AddMinutes(-1), RuleSettings.Default with { LastCall = false }, events);
        off.State.ShouldBe(OrderState.OnTrack);
        off.NextCheckAt.ShouldBe(EveningPromise.AddMilliseconds(1));
    }

    [Fact]
    public void ALastCallTimeThatAClockChangeSkipsMovesOnByTheGap()
    {
        // New York springs forward at 02:00 on 8 March 2026: 02:30 does not exist, 03:30 EDT is 07:30 UTC.
        var promise = new DateTimeOffset(2026, 3, 8, 20, 0, 0, TimeSpan.FromHours(-4));
        var customer = EnglishCustomer();
        var placed = Events.Valid(OrderPlaced(Order, promise.AddDays(-3), promise, customer));
        var halfTwo = RuleSettings.Default with { LastCallAt = new TimeOnly(2, 30) };

        Call(promise.AddDays(-1), halfTwo, placed).NextCheckAt.ShouldBe(new DateTimeOffset(2026, 3, 8, 7, 30, 0, TimeSpan.Zero));
    }
}
