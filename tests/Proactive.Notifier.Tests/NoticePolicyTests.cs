using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Policy;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

public class NoticePolicyTests
{
    private static readonly NoticePolicyOptions Options = new();

    private static NoticeDecision TellAt(Channel channel, NoticeKind kind, double hoursLater = 0) =>
        NoticeDecision.Tell(channel, kind) with { SendAt = News.Now.AddHours(hoursLater) };

    [Fact]
    public void AtNightInTheCustomersZoneTheSmsWaitsForMorningAndTheEmailGoesNow()
    {
        // 13:30 UTC is 22:30 in Seoul; quiet hours end at 08:00 Seoul, 23:00 UTC.
        var night = new DateTimeOffset(2026, 11, 24, 13, 30, 0, TimeSpan.Zero);

        var decisions = NoticePolicy.Decide(Detected(), [], night, Options);

        decisions[0].Channel.ShouldBe(Channel.Sms);
        decisions[0].SendAt.ShouldBe(new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.Zero));
        decisions[0].Why!.ShouldBe("deferred: quiet hours 21:00–08:00 in Asia/Seoul; held until 2026-11-25 08:00 local");
        decisions[1].ShouldBe(NoticeDecision.Tell(Channel.Email, NoticeKind.Delay) with { SendAt = night });
    }

    [Fact]
    public void QuietHoursAreConfigurable()
    {
        var night = new DateTimeOffset(2026, 11, 24, 13, 30, 0, TimeSpan.Zero);

        NoticePolicy.Decide(Detected(Korean(Channel.Sms)), [], night, new NoticePolicyOptions { QuietHoursStart = "23:00", QuietHoursEnd = "07:00" })
            .Single().SendAt.ShouldBe(night);
    }

    [Fact]
    public void AFirstDelayIsToldOnEveryChannelTheCustomerHasAnAddressFor()
    {
        var decisions = NoticePolicy.Decide(Detected(), [], Now, Options);

        decisions.ShouldBe([TellAt(Channel.Sms, NoticeKind.Delay), TellAt(Channel.Email, NoticeKind.Delay)]);
    }

    [Fact]
    public void TheCustomersChannelsNarrowIt()
    {
        NoticePolicy.Decide(Detected(Korean(Channel.Email)), [], Now, Options)
            .ShouldBe([TellAt(Channel.Email, NoticeKind.Delay)]);
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

        decisions.ShouldBe([TellAt(Channel.Sms, NoticeKind.FurtherDelay, 30), TellAt(Channel.Email, NoticeKind.FurtherDelay, 30)]);
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

        var decisions = NoticePolicy.Decide(Worsened(first.EstimatedDeliveryAt!.Value, 2, DelayReason.CarrierException, "ADDRESS_ISSUE"), ledger, Now.AddHours(30), Options);

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

public class NoticePolicyPreferencesTests
{
    private static readonly NoticePolicyOptions Options = new();

    private static Preferences.CustomerPreferences OptedOut(Channel channel) =>
        Preferences.CustomerPreferences.None("C-77").WithOptOut(channel, new Preferences.OptOut(Now.AddDays(-1), "twilio 21610"));

    private static EpisodeNews Recovered(DateTimeOffset eta) =>
        Detected(eta: eta, sequence: 2) with { Kind = EpisodeNewsKind.Resolved, Resolution = Resolution.Recovered };

    [Fact]
    public void AChannelTheCustomerOptedOutOfIsSuppressedWithWhenAndHow()
    {
        var decisions = NoticePolicy.Decide(Detected(), [], Now, Options, OptedOut(Channel.Sms));

        decisions[0].ShouldBe(NoticeDecision.Suppress(Channel.Sms, NoticeKind.Delay, "the customer opted out of SMS on 2026-11-23 01:00Z (twilio 21610)"));
        decisions[1].ShouldBe(NoticeDecision.Tell(Channel.Email, NoticeKind.Delay) with { SendAt = Now });
    }

    [Fact]
    public void ACustomerWhoStoppedTheirOnlyChannelSmsHearsByEmail()
    {
        var decisions = NoticePolicy.Decide(Detected(Korean(Channel.Sms)), [], Now, Options, OptedOut(Channel.Sms));

        decisions.Select(d => (d.Channel, d.Send)).ShouldBe([(Channel.Sms, false), (Channel.Email, true)]);
    }

    [Fact]
    public void CustomQuietHoursFromPreferencesHoldTheSms()
    {
        // 01:00 UTC is 10:00 in Seoul, inside the customer's own 09:00–11:00 window.
        var preferences = Preferences.CustomerPreferences.None("C-77") with { QuietHours = new Preferences.QuietWindow("09:00", "11:00") };

        var sms = NoticePolicy.Decide(Detected(), [], Now, Options, preferences)[0];

        sms.SendAt.ShouldBe(Now.AddHours(1));
        sms.Why!.ShouldContain("quiet hours 09:00–11:00 in Asia/Seoul");
    }

    [Fact]
    public void WhenTheEstimateRecoversTheChannelsThatWereToldHearTheGoodNews()
    {
        var told = Told(Detected(), Channel.Sms, Now.AddHours(-2));

        var decisions = NoticePolicy.Decide(Recovered(Promise.AddHours(-5)), [told], Now, Options);

        decisions.ShouldBe([NoticeDecision.Tell(Channel.Sms, NoticeKind.BackOnTrack) with { SendAt = Now }]);
    }

    [Fact]
    public void NoGoodNewsWithoutASentDelayNoticeOrWhenTurnedOffOrOnDelivery()
    {
        var deferred = Told(Detected(), Channel.Sms, Now.AddHours(-2), NoticeStatus.Suppressed);
        var sent = Told(Detected(), Channel.Sms, Now.AddHours(-2));

        NoticePolicy.Decide(Recovered(Promise), [deferred], Now, Options).ShouldBeEmpty();
        NoticePolicy.Decide(Recovered(Promise), [sent], Now, new NoticePolicyOptions { BackOnTrack = false }).ShouldBeEmpty();
        NoticePolicy.Decide(Recovered(Promise) with { Resolution = Resolution.Delivered }, [sent], Now, Options).ShouldBeEmpty();
    }

    [Fact]
    public void GoodNewsIsNotHeldBackByTheOrderCap()
    {
        var first = Told(Detected(), Channel.Email, Now.AddHours(-3));
        var second = Told(Worsened(Promise.AddDays(3), 2), Channel.Email, Now.AddHours(-2));

        NoticePolicy.Decide(Recovered(Promise) with { Sequence = 3 }, [first, second], Now, Options)
            .ShouldBe([NoticeDecision.Tell(Channel.Email, NoticeKind.BackOnTrack) with { SendAt = Now }]);
    }
}
