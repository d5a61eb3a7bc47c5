using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

/// <summary>An address that hard-bounced gets no email: not at the decision, not as the SMS's fallback.</summary>
public class EmailSuppressionPolicyTests
{
    private static readonly NoticePolicyOptions Options = new();
    private static readonly EmailSuppression Bounced = new("minji@example.com", "bounce: 550 user unknown", "sendgrid bounce", "A-1000/delay-1/1/email", Now.AddDays(-1));
    private const string Why = "the address m***@example.com hard-bounced (sendgrid bounce, 2026-11-23 01:00Z): no more email to it";

    [Fact]
    public void TheEmailToASuppressedAddressIsRecordedSuppressedSayingWhyAndTheSmsStillGoes()
    {
        var decisions = NoticePolicy.Decide(Detected(), [], Now, Options, emailSuppression: Bounced);

        decisions.ShouldBe(
        [
            NoticeDecision.Tell(Channel.Sms, NoticeKind.Delay) with { SendAt = Now },
            NoticeDecision.Suppress(Channel.Email, NoticeKind.Delay, Why),
        ]);
        Why.ShouldNotContain("minji@example.com");
    }

    [Fact]
    public void GoodNewsIsNotEmailedToASuppressedAddressEither()
    {
        var told = Told(Detected(), Channel.Email, Now.AddHours(-5));
        var recovered = Detected(eta: Promise.AddHours(-5), sequence: 2) with { Kind = EpisodeNewsKind.Resolved, Resolution = Resolution.Recovered };

        NoticePolicy.Decide(recovered, [told], Now, Options).ShouldHaveSingleItem().Send.ShouldBeTrue();
        NoticePolicy.Decide(recovered, [told], Now, Options, emailSuppression: Bounced).ShouldHaveSingleItem()
            .ShouldBe(NoticeDecision.Suppress(Channel.Email, NoticeKind.BackOnTrack, Why));
    }

    [Fact]
    public void AnSmsDoesNotFallBackToASuppressedAddress()
    {
        var news = Detected();
        var sms = NoticeLifecycle.Claim(Told(news, Channel.Sms, Now, NoticeStatus.Pending) with { Attempts = 0, CustomerId = "C-77", News = news }, Now).After;

        var (email, note) = EmailFallback.Plan(sms, CustomerPreferences.None("C-77"), [], "30003", Now, Options, (null, null), Bounced with { Address = "minji@example.com" });

        email.ShouldBeNull();
        note.ShouldBe($"; no email fallback: {Why}");
        EmailFallback.Plan(sms, CustomerPreferences.None("C-77"), [], "30003", Now, Options, (null, null), Bounced with { Address = "other@example.com" }).Email.ShouldNotBeNull();
    }
}
