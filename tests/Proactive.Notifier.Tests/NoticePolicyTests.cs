using Proactive.Notifier.Policy;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

public class NoticePolicyTests
{
    private static readonly NoticePolicyOptions Options = new();

    [Fact]
    public void AFirstDelayIsToldOnEveryChannelTheCustomerHasAnAddressFor()
    {
        var decisions = NoticePolicy.Decide(Detected(), [], Now, Options);

        decisions.ShouldBe([NoticeDecision.Tell(Channel.Sms, NoticeKind.Delay), NoticeDecision.Tell(Channel.Email, NoticeKind.Delay)]);
    }

    [Fact]
    public void TheCustomersChannelsNarrowIt()
    {
        NoticePolicy.Decide(Detected(Korean(Channel.Email)), [], Now, Options)
            .ShouldBe([NoticeDecision.Tell(Channel.Email, NoticeKind.Delay)]);
    }

    [Fact]
    public void AChannelWithoutAnAddressIsSkippedAndSaidWhenAskedFor()
    {
        var emailOnly = Korean() with { Phone = null };
        NoticePolicy.Decide(Detected(emailOnly), [], Now, Options).Select(d => d.Channel).ShouldBe([Channel.Email]);

        var askedForSms = emailOnly with { Channels = [Channel.Sms] };
        var decision = NoticePolicy.Decide(Detected(askedForSms), [], Now, Options).Single();
        decision.Send.ShouldBeFalse();
        decision.Why!.ShouldContain("no SMS address");
    }

    [Fact]
    public void ASlipUnderTheThresholdIsRecordedButNotTold()
    {
        var first = Detected();
        var ledger = new[] { Told(first, Channel.Sms, Now), Told(first, Channel.Email, Now) };

        var decisions = NoticePolicy.Decide(Worsened(first.EstimatedDeliveryAt!.Value.AddHours(6), 2), ledger, Now.AddHours(30), Options);

        decisions.ShouldAllBe(d => !d.Send);
        decisions[0].Why!.ShouldContain("slipped 6 h");
        decisions[0].Why!.ShouldContain("threshold is 24 h");
    }

    [Fact]
    public void ASlipOfADayOrMoreIsToldAsAFurtherDelay()
    {
        var first = Detected();
        var ledger = new[] { Told(first, Channel.Sms, Now), Told(first, Channel.Email, Now) };

        var decisions = NoticePolicy.Decide(Worsened(first.EstimatedDeliveryAt!.Value.AddHours(24), 2), ledger, Now.AddHours(30), Options);

        decisions.ShouldBe([NoticeDecision.Tell(Channel.Sms, NoticeKind.FurtherDelay), NoticeDecision.Tell(Channel.Email, NoticeKind.FurtherDelay)]);
    }

    [Fact]
    public void TheThresholdIsConfigurable()
    {
        var first = Detected();
        var ledger = new[] { Told(first, Channel.Sms, Now) };

        NoticePolicy.Decide(Worsened(first.EstimatedDeliveryAt!.Value.AddHours(6), 2) with { Customer = Korean(Channel.Sms) }, ledger, Now.AddHours(30), new NoticePolicyOptions { RenotifySlip = TimeSpan.FromHours(4) })
            .Single().Kind.ShouldBe(NoticeKind.FurtherDelay);
    }

    [Fact]
    public void AReasonTheCustomerMustActOnIsToldEvenWithoutASlip()
    {
        var first = Detected();
        var ledger = new[] { Told(first, Channel.Sms, Now), Told(first, Channel.Email, Now) };

        var decisions = NoticePolicy.Decide(Worsened(first.EstimatedDeliveryAt!.Value, 2, "CARRIER_EXCEPTION", "ADDRESS_ISSUE"), ledger, Now.AddHours(30), Options);

        decisions.ShouldAllBe(d => d.Send && d.Kind == NoticeKind.ActionRequired);
    }

    [Fact]
    public void AtMostTwoNoticesPerOrderInAnyTwentyFourHours()
    {
        var first = Detected();
        var second = Worsened(first.EstimatedDeliveryAt!.Value.AddDays(1), 2);
        var ledger = new[]
        {
            Told(first, Channel.Sms, Now), Told(first, Channel.Email, Now),
            Told(second, Channel.Sms, Now.AddHours(2)), Told(second, Channel.Email, Now.AddHours(2)),
        };
        var third = Worsened(first.EstimatedDeliveryAt!.Value.AddDays(2), 3);

        var capped = NoticePolicy.Decide(third, ledger, Now.AddHours(5), Options);
        capped.ShouldAllBe(d => !d.Send);
        capped[0].Why!.ShouldContain("order cap");

        NoticePolicy.Decide(third, ledger, Now.AddHours(24.5), Options).ShouldAllBe(d => d.Send);
        NoticePolicy.Decide(third, ledger, Now.AddHours(5), new NoticePolicyOptions { MaxPerOrderPer24Hours = 3 }).ShouldAllBe(d => d.Send);
    }

    [Fact]
    public void ResolvedNewsDecidesNothing()
    {
        NoticePolicy.Decide(Detected() with { Kind = EpisodeNewsKind.Resolved }, [], Now, Options).ShouldBeEmpty();
    }
}
