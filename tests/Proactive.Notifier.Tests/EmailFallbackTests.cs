using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Preferences;

namespace Proactive.Notifier.Tests;

public sealed class EmailFallbackTests
{
    private static readonly DateTimeOffset Now = News.Now;

    private static NoticeRecord Sms(CustomerContact? customer = null)
    {
        var news = News.Detected(customer);
        return NoticeLifecycle.Claim(News.Told(news, Channel.Sms, Now, NoticeStatus.Pending) with { Attempts = 0, CustomerId = news.Customer.CustomerId, News = news }, Now).After;
    }

    private static (NoticeChange? Email, string Note) Plan(NoticeRecord sms, CustomerPreferences? preferences = null, params NoticeRecord[] existing) =>
        EmailFallback.Plan(sms, preferences ?? CustomerPreferences.None("C-77"), existing, "STOP", Now, new NoticePolicyOptions(), ("tp", null));

    [Fact]
    public void AnSmsThatCannotReachTheCustomerBecomesAnEmailDueNowInTheirLanguage()
    {
        var (email, note) = Plan(Sms());

        note.ShouldBe("; fell back to email (A-1001/delay-1/1/email)");
        email!.Transition.ShouldBe(NoticeTransition.FellBack);
        (email.After.Recipient, email.After.Locale, email.After.Status, email.After.FallbackFor, email.After.TraceParent)
            .ShouldBe(("minji@example.com", "ko-KR", NoticeStatus.Pending, "A-1001/delay-1/1/sms", "tp"));
        email.After.Subject.ShouldNotBeNull();
    }

    [Fact]
    public void NoAddressNoFallback()
    {
        Plan(Sms(News.Korean(Channel.Sms) with { Email = null })).ShouldBe((null, "; no email address to fall back to"));
    }

    [Fact]
    public void AnEmailOptOutIsHonoured()
    {
        var preferences = CustomerPreferences.None("C-77") with { EmailOptOut = new OptOut(Now.AddDays(-1), "api") };

        var (email, note) = Plan(Sms(), preferences);

        email.ShouldBeNull();
        note.ShouldBe("; no email fallback: the customer opted out of email on 2026-11-23 01:00Z (api)");
    }

    [Fact]
    public void NewsThatAlreadyHasItsEmailGetsNoSecond()
    {
        var sms = Sms();
        var sent = News.Told(sms.News!, Channel.Email, Now);

        Plan(sms, null, sent).ShouldBe((null, "; no email fallback: this news already has its email (A-1001/delay-1/1/email, sent)"));
    }
}
