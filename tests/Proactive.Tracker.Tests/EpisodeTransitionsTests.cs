using Proactive.Tracker.Episodes;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Tests;

public class EpisodeTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Eta = Now.AddDays(3);

    private static DelayEpisode Open(DateTimeOffset? eta = null) =>
        new("A-1/delay-1", "A-1", 1, DelayReason.EtaSlip, null, eta ?? Eta, Now.AddHours(-5));

    private static DelayAssessment Late(DelayReason reason = DelayReason.EtaSlip, DateTimeOffset? eta = null, CarrierExceptionCode? code = null) =>
        new(OrderState.Late, reason, code, eta ?? Eta);

    [Fact]
    public void ALateOrderWithoutAnOpenEpisodeOpensOne()
    {
        var change = EpisodeTransitions.Next("A-1", null, 0, Late(), Now)!;

        change.Kind.ShouldBe(EpisodeChangeKind.Detected);
        change.Episode.EpisodeId.ShouldBe("A-1/delay-1");
        change.Episode.OpenedAt.ShouldBe(Now);
    }

    [Fact]
    public void AClosedEpisodeIsFollowedByANewOne()
    {
        var closed = Open() with { ClosedAt = Now.AddHours(-1), Resolution = Resolution.Recovered };

        EpisodeTransitions.Next("A-1", closed, 1, Late(), Now)!.Episode.Number.ShouldBe(2);
    }

    [Fact]
    public void ALaterEstimateWorsensAnEarlierOneOnlyUpdates()
    {
        EpisodeTransitions.Next("A-1", Open(), 1, Late(eta: Eta.AddHours(5)), Now)!.Kind.ShouldBe(EpisodeChangeKind.Worsened);
        EpisodeTransitions.Next("A-1", Open(), 1, Late(eta: Eta.AddHours(-5)), Now)!.Kind.ShouldBe(EpisodeChangeKind.Updated);
        EpisodeTransitions.Next("A-1", Open(), 1, Late(), Now).ShouldBeNull();
    }

    [Fact]
    public void AReasonTheCustomerMustActOnWorsensTheEpisode()
    {
        var change = EpisodeTransitions.Next("A-1", Open(), 1, Late(DelayReason.CarrierException, code: CarrierExceptionCode.AddressIssue), Now)!;

        change.Kind.ShouldBe(EpisodeChangeKind.Worsened);
        change.Episode.ActionRequired.ShouldBeTrue();
    }

    [Theory]
    [InlineData(OrderState.Delivered, Resolution.Delivered)]
    [InlineData(OrderState.Cancelled, Resolution.Cancelled)]
    [InlineData(OrderState.OnTrack, Resolution.Recovered)]
    public void DeliveryCancellationOrARecoveredEstimateClosesTheEpisode(OrderState state, Resolution resolution)
    {
        var change = EpisodeTransitions.Next("A-1", Open(), 1, new DelayAssessment(state), Now)!;

        change.Kind.ShouldBe(EpisodeChangeKind.Resolved);
        change.Episode.Resolution.ShouldBe(resolution);
        change.Episode.ClosedAt.ShouldBe(Now);
    }

    [Fact]
    public void AnOnTrackOrderWithoutAnEpisodeChangesNothing()
    {
        EpisodeTransitions.Next("A-1", null, 0, new DelayAssessment(OrderState.OnTrack), Now).ShouldBeNull();
        EpisodeTransitions.Next("A-1", null, 0, new DelayAssessment(OrderState.AwaitingOrder), Now).ShouldBeNull();
    }
}
