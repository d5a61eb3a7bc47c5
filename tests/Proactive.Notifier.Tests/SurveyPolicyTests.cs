using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Survey;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

public class SurveyPolicyTests
{
    private static readonly NoticePolicyOptions Policy = new();
    private static readonly SurveyReach Both = new(SmsAnswersHeard: true, EmailLinksWork: true);

    // 13:30 UTC is 22:30 in Seoul; quiet hours end at 08:00 Seoul, 23:00 UTC.
    private static readonly DateTimeOffset Night = new(2026, 11, 24, 13, 30, 0, TimeSpan.Zero);

    private static EpisodeNews Delivered(CustomerContact? customer = null, int episodes = 1, DateTimeOffset? at = null, string order = "A-1001") =>
        Detected(customer) with { OrderId = order, EpisodeId = "", Kind = EpisodeNewsKind.Delivered, EpisodeCount = episodes, DeliveredAt = at ?? Now };

    private static EpisodeNews ResolvedByDelivery() =>
        Detected() with { Kind = EpisodeNewsKind.Resolved, Resolution = Contracts.Tracker.V1.Resolution.Delivered };

    private static NoticeDecision? Decide(
        EpisodeNews news, IReadOnlyList<NoticeRecord>? ledger = null, DateTimeOffset? now = null, SurveyOptions? options = null,
        CustomerPreferences? preferences = null, EmailSuppression? suppression = null, SurveyReach? reach = null) =>
        SurveyPolicy.Decide(news, ledger ?? [], now ?? Now, options ?? new SurveyOptions(), Policy, preferences ?? CustomerPreferences.None("C-77"), suppression, reach ?? Both);

    [Fact]
    public void DelayedOrdersAreAskedOnDeliveryAndOthersOnlyWithAudienceAll()
    {
        var delayed = new SurveyOptions();
        SurveyPolicy.Asks(Delivered(episodes: 1), Now, delayed).ShouldBeTrue();
        SurveyPolicy.Asks(ResolvedByDelivery(), Now, delayed).ShouldBeTrue();
        SurveyPolicy.Asks(Delivered(episodes: 0), Now, delayed).ShouldBeFalse();
        SurveyPolicy.Asks(Detected(), Now, delayed).ShouldBeFalse();
        SurveyPolicy.Asks(Detected() with { Kind = EpisodeNewsKind.Resolved, Resolution = Contracts.Tracker.V1.Resolution.Recovered }, Now, delayed).ShouldBeFalse();

        SurveyPolicy.Asks(Delivered(episodes: 0), Now, new SurveyOptions { Audience = "all" }).ShouldBeTrue();
        SurveyPolicy.Asks(Delivered(episodes: 0), Now, new SurveyOptions { Audience = "all", SampleRate = 0 }).ShouldBeFalse();
        SurveyPolicy.Asks(Delivered(episodes: 2), Now, new SurveyOptions { Audience = "all", SampleRate = 0 }).ShouldBeTrue();
        SurveyPolicy.Asks(Delivered(episodes: 1), Now, new SurveyOptions { Enabled = false }).ShouldBeFalse();

        // A forecast proven wrong is no delay: an at-risk episode whose parcel came by the promise asks nothing.
        var forecast = ResolvedByDelivery() with { Reason = Contracts.Tracker.V1.DelayReason.PredictedLate, EpisodeCount = 1 };
        SurveyPolicy.Asks(forecast with { DeliveredAt = forecast.PromisedBy.AddHours(-1) }, Now, delayed).ShouldBeFalse();
        SurveyPolicy.Asks(forecast with { DeliveredAt = forecast.PromisedBy.AddHours(1) }, forecast.PromisedBy.AddHours(1), delayed).ShouldBeTrue();
    }

    [Fact]
    public void DeliveryNewsOlderThanMaxAgeAsksNothing()
    {
        var options = new SurveyOptions { MaxAge = TimeSpan.FromDays(2) };
        SurveyPolicy.Asks(Delivered(at: Now.AddDays(-2)), Now, options).ShouldBeTrue();
        SurveyPolicy.Asks(Delivered(at: Now.AddDays(-2).AddMinutes(-1)), Now, options).ShouldBeFalse();
    }

    [Fact]
    public void TheSampleIsDeterministicByOrderIdAndNearTheRate()
    {
        var orders = Enumerable.Range(0, 4000).Select(i => $"ORD-{i}").ToList();
        var sampled = orders.Count(o => SurveyPolicy.Sampled(o, 0.25));
        sampled.ShouldBeInRange(850, 1150);
        orders.ShouldAllBe(o => SurveyPolicy.Sampled(o, 0.25) == SurveyPolicy.Sampled(o, 0.25));
        orders.Where(o => SurveyPolicy.Sampled(o, 0.1)).ShouldAllBe(o => SurveyPolicy.Sampled(o, 0.25));
        orders.ShouldAllBe(o => SurveyPolicy.Sampled(o, 1) && !SurveyPolicy.Sampled(o, 0));
    }

    [Fact]
    public void TheSurveyGoesOnTheChannelThatToldTheCustomer()
    {
        var news = Delivered(Korean(Channel.Sms, Channel.Email));
        var toldByEmail = Told(Detected(sequence: 2), Channel.Email, Now.AddDays(-1));
        var olderSms = Told(Detected(), Channel.Sms, Now.AddDays(-2));

        Decide(news, [olderSms, toldByEmail]).ShouldNotBeNull().Channel.ShouldBe(Channel.Email);

        // The same news by both: SMS, whichever provider answered first (an SMS answer is one reply away).
        Decide(news, [Told(Detected(), Channel.Sms, Now.AddSeconds(-2)), Told(Detected(), Channel.Email, Now.AddSeconds(-1))])
            .ShouldNotBeNull().Channel.ShouldBe(Channel.Sms);

        // Not a channel the customer no longer wants, even if it told them (an email fallback).
        Decide(Delivered(Korean(Channel.Sms)), [Told(Detected(), Channel.Email, Now.AddDays(-1))]).ShouldNotBeNull().Channel.ShouldBe(Channel.Sms);
        Decide(news, [olderSms]).ShouldNotBeNull().Channel.ShouldBe(Channel.Sms);
        Decide(news).ShouldNotBeNull().Channel.ShouldBe(Channel.Sms);
        Decide(Delivered(Korean(Channel.Email))).ShouldNotBeNull().Channel.ShouldBe(Channel.Email);

        // An undelivered SMS did not tell them.
        Decide(news, [Told(Detected(sequence: 3), Channel.Sms, Now.AddDays(-1), NoticeStatus.Undelivered), toldByEmail with { SentAt = Now.AddDays(-2) }])
            .ShouldNotBeNull().Channel.ShouldBe(Channel.Email);
    }

    [Fact]
    public void AfterLateNightDeliveryTheSurveyWaitsForMorningOnEitherChannel()
    {
        foreach (var channel in new[] { Channel.Sms, Channel.Email })
        {
            var decision = Decide(Delivered(Korean(channel), at: Night), now: Night).ShouldNotBeNull();
            decision.Send.ShouldBeTrue();
            decision.SendAt.ShouldBe(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.FromHours(9)));
            decision.Why.ShouldNotBeNull().ShouldContain("quiet hours");
        }
    }

    [Fact]
    public void TheCustomersOwnQuietHoursAndTheDelayApply()
    {
        var own = CustomerPreferences.None("C-77") with { QuietHours = new QuietWindow("09:00", "11:00") };
        Decide(Delivered(at: Now), preferences: own).ShouldNotBeNull().SendAt.ShouldBe(new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.FromHours(9)));

        var hourLater = Decide(Delivered(at: Now), options: new SurveyOptions { Delay = TimeSpan.FromHours(1) }).ShouldNotBeNull();
        hourLater.SendAt.ShouldBe(Now.AddHours(1));
        hourLater.Why.ShouldNotBeNull().ShouldContain("after delivery");

        Decide(Delivered(at: Now)).ShouldNotBeNull().SendAt.ShouldBe(Now);
    }

    [Theory]
    [InlineData(Channel.Sms)]
    [InlineData(Channel.Email)]
    public void AnyOptOutSuppressesTheSurvey(Channel optedOut)
    {
        var preferences = CustomerPreferences.None("C-77").WithOptOut(optedOut, new OptOut(Now.AddDays(-1), "api"));
        var decision = Decide(Delivered(Korean(Channel.Sms, Channel.Email)), preferences: preferences).ShouldNotBeNull();
        decision.Send.ShouldBeFalse();
        decision.Kind.ShouldBe(NoticeKind.Survey);
        decision.Why.ShouldNotBeNull().ShouldContain($"opted out of {(optedOut == Channel.Sms ? "SMS" : "email")}");
    }

    [Fact]
    public void AChannelThatCannotCarryTheAnswerFallsToTheOtherOrSaysWhy()
    {
        var both = Delivered(Korean(Channel.Sms, Channel.Email));
        Decide(both, reach: new SurveyReach(false, true)).ShouldNotBeNull().Channel.ShouldBe(Channel.Email);
        Decide(Delivered(Korean(Channel.Email, Channel.Sms)), reach: new SurveyReach(true, false)).ShouldNotBeNull().Channel.ShouldBe(Channel.Sms);

        var none = Decide(both, reach: new SurveyReach(false, false)).ShouldNotBeNull();
        none.Send.ShouldBeFalse();
        none.Why.ShouldNotBeNull().ShouldContain("Twilio inbound webhook");
        none.Why.ShouldContain("PublicBaseUrl");

        var bounced = new EmailSuppression("minji@example.com", "bounce", "sendgrid", null, Now.AddDays(-3));
        var emailOnly = Decide(Delivered(Korean(Channel.Email)), suppression: bounced).ShouldNotBeNull();
        emailOnly.Send.ShouldBeFalse();
        emailOnly.Why.ShouldNotBeNull().ShouldStartWith("no survey: email:");
        Decide(both, suppression: bounced, reach: new SurveyReach(false, true)).ShouldNotBeNull().Send.ShouldBeFalse();
    }

    [Fact]
    public void TheCohortIsWhenTheCustomerWasFirstToldAgainstThePromise()
    {
        var news = Delivered();
        SurveyPolicy.Cohort(news, [Told(Detected(), Channel.Sms, Promise.AddHours(-5)), Told(Detected(), Channel.Email, Promise.AddHours(3))])
            .ShouldBe((SurveyCohorts.ToldEarly, (DateTimeOffset?)Promise.AddHours(-5)));
        SurveyPolicy.Cohort(news, [Told(Detected(), Channel.Sms, Promise)]).ShouldBe((SurveyCohorts.ToldLate, (DateTimeOffset?)Promise));
        SurveyPolicy.Cohort(news, [Told(Detected(), Channel.Sms, Now, NoticeStatus.Suppressed)]).ShouldBe((SurveyCohorts.NeverTold, (DateTimeOffset?)null));
        SurveyPolicy.Cohort(news, [Told(Detected(), Channel.Sms, Now, kind: NoticeKind.BackOnTrack)]).Cohort.ShouldBe(SurveyCohorts.NeverTold);
        SurveyPolicy.Cohort(Delivered(episodes: 0), []).ShouldBe((SurveyCohorts.NotDelayed, (DateTimeOffset?)null));
    }

    [Fact]
    public void OptionsNameTheKeyAtFault()
    {
        new SurveyOptions().Problems().ShouldBeEmpty();
        new SurveyOptions { LinkKey = Convert.ToBase64String(new byte[32]) }.Problems().ShouldBeEmpty();
        new SurveyOptions { Audience = "some" }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:Audience");
        new SurveyOptions { SampleRate = 1.5 }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:SampleRate");
        new SurveyOptions { Delay = TimeSpan.FromHours(-1) }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:Delay");
        new SurveyOptions { ReplyWindow = TimeSpan.Zero }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:ReplyWindow");
        new SurveyOptions { MaxAge = TimeSpan.Zero }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:MaxAge");
        new SurveyOptions { LinkKey = Convert.ToBase64String(new byte[16]) }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:LinkKey");
        new SurveyOptions { LinkKey = "not base64!" }.Problems().ShouldHaveSingleItem().ShouldStartWith("Proactive:Survey:LinkKey");
    }
}
