using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Policy;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

/// <summary>
/// Episodes the delivery-time model opens (reason PREDICTED_LATE): told once as AT_RISK, superseded
/// by a confirmed delay only when it brings news, and for the record only in prediction mode internal.
/// </summary>
public class AtRiskPolicyTests
{
    private static readonly NoticePolicyOptions Options = new();

    private static NoticeDecision TellAt(Channel channel, NoticeKind kind, double hoursLater = 0) =>
        NoticeDecision.Tell(channel, kind) with { SendAt = Now.AddHours(hoursLater) };

    private static EpisodeNews Confirmed(DelayReason reason, DateTimeOffset? eta, long sequence = 2) =>
        Detected(reason: reason, sequence: sequence) with { Kind = EpisodeNewsKind.Worsened, EstimatedDeliveryAt = eta };

    private static NoticeRecord[] ToldAtRisk(EpisodeNews news, NoticeStatus status = NoticeStatus.Sent) =>
        [Told(news, Channel.Sms, Now, status, kind: NoticeKind.AtRisk), Told(news, Channel.Email, Now, status, kind: NoticeKind.AtRisk)];

    [Fact]
    public void APredictionIsToldAsAtRiskOnEveryChannel()
    {
        NoticePolicy.Decide(Predicted(), [], Now, Options)
            .ShouldBe([TellAt(Channel.Sms, NoticeKind.AtRisk), TellAt(Channel.Email, NoticeKind.AtRisk)]);
    }

    [Fact]
    public void APredictionTheCustomerMustActOnIsAnActionRequired()
    {
        NoticePolicy.Decide(Predicted() with { ActionRequired = true }, [], Now, Options)
            .ShouldAllBe(d => d.Send && d.Kind == NoticeKind.ActionRequired);
    }

    [Fact]
    public void AMissedPromiseWithoutANewEstimateAfterAnAtRiskWarningIsNotToldTwice()
    {
        var atRisk = Predicted(eta: Promise.AddDays(2));

        var decisions = NoticePolicy.Decide(Confirmed(DelayReason.MissedPromise, null), ToldAtRisk(atRisk), Now.AddHours(40), Options);

        decisions.Count.ShouldBe(2);
        decisions.ShouldAllBe(d => !d.Send);
        decisions[0].Why.ShouldBe("MISSED_PROMISE confirms the at-risk warning already told in notice A-1001/delay-1/1/sms; told again only when the estimate slips 24 h past the one told");
        decisions[1].Why.ShouldBe("MISSED_PROMISE confirms the at-risk warning already told in notice A-1001/delay-1/1/email; told again only when the estimate slips 24 h past the one told");
    }

    [Fact]
    public void AConfirmedEstimateASlipPastTheWarningIsAFurtherDelay()
    {
        var atRisk = Predicted(eta: Promise.AddDays(2));

        NoticePolicy.Decide(Confirmed(DelayReason.EtaSlip, Promise.AddDays(3)), ToldAtRisk(atRisk), Now.AddHours(30), Options)
            .ShouldBe([TellAt(Channel.Sms, NoticeKind.FurtherDelay, 30), TellAt(Channel.Email, NoticeKind.FurtherDelay, 30)]);

        var under = NoticePolicy.Decide(Confirmed(DelayReason.EtaSlip, Promise.AddDays(2).AddHours(23)), ToldAtRisk(atRisk), Now.AddHours(30), Options);
        under.ShouldAllBe(d => !d.Send);
        under[0].Why!.ShouldContain("slipped 23 h since notice A-1001/delay-1/1/sms");
    }

    [Fact]
    public void AConfirmedAddressProblemAfterAWarningIsToldAsActionRequired()
    {
        var atRisk = Predicted(eta: Promise.AddDays(2));
        var address = Detected(reason: DelayReason.CarrierException, code: "ADDRESS_ISSUE", eta: Promise.AddDays(2), sequence: 2);

        NoticePolicy.Decide(address, ToldAtRisk(atRisk), Now.AddHours(30), Options)
            .ShouldBe([TellAt(Channel.Sms, NoticeKind.ActionRequired, 30), TellAt(Channel.Email, NoticeKind.ActionRequired, 30)]);
    }

    [Fact]
    public void AChangedPredictionIsNotToldAgainHoweverFarItMoves()
    {
        var atRisk = Predicted(eta: Promise.AddDays(2));

        var decisions = NoticePolicy.Decide(Predicted(eta: Promise.AddDays(9), probability: 0.95, sequence: 2), ToldAtRisk(atRisk), Now.AddHours(30), Options);

        decisions.ShouldAllBe(d => !d.Send && d.Kind == NoticeKind.FurtherDelay);
        decisions[0].Why!.ShouldContain("still only predicted late");
    }

    [Fact]
    public void RecordOnlyNewsIsRecordedOnEveryChannelAndToldToNoOne()
    {
        var decisions = NoticePolicy.Decide(Predicted(recordOnly: true), [], Now, Options);

        decisions.ShouldBe([
            NoticeDecision.Suppress(Channel.Sms, NoticeKind.AtRisk, "prediction mode internal: recorded, the customer is not told"),
            NoticeDecision.Suppress(Channel.Email, NoticeKind.AtRisk, NoticePolicy.RecordOnlyReason),
        ]);
    }

    [Fact]
    public void AConfirmedDelayAfterRecordOnlyNewsIsTheFirstWordTheCustomerHears()
    {
        var recorded = ToldAtRisk(Predicted(recordOnly: true), NoticeStatus.Suppressed);

        NoticePolicy.Decide(Confirmed(DelayReason.MissedPromise, null), recorded, Now.AddHours(30), Options)
            .ShouldBe([TellAt(Channel.Sms, NoticeKind.Delay, 30), TellAt(Channel.Email, NoticeKind.Delay, 30)]);
    }

    [Fact]
    public void RecordOnlyNewsIsNotCountedAgainstTheOrderCap()
    {
        var recorded = ToldAtRisk(Predicted(recordOnly: true), NoticeStatus.Suppressed)
            .Concat(ToldAtRisk(Predicted(recordOnly: true, sequence: 2), NoticeStatus.Suppressed))
            .ToList();

        NoticePolicy.Decide(Confirmed(DelayReason.MissedPromise, null, sequence: 3), recorded, Now.AddHours(1), Options)
            .ShouldAllBe(d => d.Send && d.Kind == NoticeKind.Delay);
    }

    [Fact]
    public void ACustomerToldTheOrderMayArriveLateHearsWhenItIsBackOnTrack()
    {
        var atRisk = Predicted(eta: Promise.AddDays(2));
        var recovered = Detected(eta: Promise.AddHours(-5), sequence: 2) with { Kind = EpisodeNewsKind.Resolved, Resolution = Resolution.Recovered };

        NoticePolicy.Decide(recovered, ToldAtRisk(atRisk), Now.AddHours(30), Options)
            .ShouldBe([TellAt(Channel.Sms, NoticeKind.BackOnTrack, 30), TellAt(Channel.Email, NoticeKind.BackOnTrack, 30)]);
        NoticePolicy.Decide(recovered, ToldAtRisk(Predicted(recordOnly: true), NoticeStatus.Suppressed), Now.AddHours(30), Options)
            .ShouldBeEmpty();
    }
}

/// <summary>The prediction's fields as Notifier reads them from Tracker's message.</summary>
public class PredictedNewsTests
{
    private static Contracts.Tracker.V1.DelayEpisodeChanged Change() => new()
    {
        OrderId = "A-1001",
        EpisodeId = "A-1001/delay-1",
        Sequence = 1,
        Kind = Contracts.Tracker.V1.DelayEpisodeChanged.Types.Kind.Detected,
        Reason = DelayReason.PredictedLate,
        PromisedBy = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Promise),
        Customer = new Contracts.Events.V1.Customer { CustomerId = "C-77" },
    };

    [Fact]
    public void TheProbabilityAndRecordOnlyAreCarriedIntoTheNews()
    {
        var change = Change();
        change.PredictedProbability = 0.83;
        change.RecordOnly = true;

        var news = EpisodeNews.From(change);

        news.PredictedProbability.ShouldBe(0.83);
        news.RecordOnly.ShouldBeTrue();
        EpisodeNews.From(Change()).PredictedProbability.ShouldBeNull();
        EpisodeNews.From(Change()).RecordOnly.ShouldBeFalse();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void AProbabilityThatIsNoneIsLeftOut(double probability)
    {
        var change = Change();
        change.PredictedProbability = probability;

        EpisodeNews.From(change).PredictedProbability.ShouldBeNull();
    }
}
