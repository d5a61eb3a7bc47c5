using Proactive.Notifier.Messages;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using static Proactive.Notifier.NoticeStatus;
using static Proactive.Notifier.NoticeTransition;

namespace Proactive.Notifier.Tests;

public sealed class NoticeLifecycleTests
{
    private static readonly DateTimeOffset Now = News.Now;
    private static readonly DispatchOptions Retries = new() { MaxAttempts = 3, RetryFor = TimeSpan.FromHours(1) };
    private static readonly RenderedMessage Message = new("subject", "text", "<p>html</p>", "notes");

    private static NoticeRecord Waiting(NoticeStatus status = Pending, Channel channel = Channel.Sms) =>
        News.Told(News.Detected(), channel, Now, status) with { Attempts = 0, SentAt = null, ProviderMessageId = null, Why = "why", CustomerId = "C-77", News = News.Detected() };

    private static NoticeRecord AClaim(NoticeStatus from = Pending, DateTimeOffset? at = null) => NoticeLifecycle.Claim(Waiting(from), at ?? Now).After;

    [Theory]
    [InlineData(true, null, Pending)]
    [InlineData(true, 60, Deferred)]
    [InlineData(false, null, Suppressed)]
    public void ADecisionBecomesAPendingDeferredOrSuppressedNotice(bool send, int? inMinutes, NoticeStatus status)
    {
        var decision = new NoticeDecision(Channel.Sms, NoticeKind.Delay, send, "why", inMinutes is { } m ? Now.AddMinutes(m) : null);
        var news = News.Detected();

        var change = NoticeLifecycle.Decide(NoticeRecord.Decided(news, news, decision, Message, Now, ("tp", "ts")));

        change.Transition.ShouldBe(Decided);
        change.Creates.ShouldBeTrue();
        change.After.Status.ShouldBe(status);
        change.After.ScheduledAt.ShouldBe(send ? Now.AddMinutes(inMinutes ?? 0) : null);
        change.After.NoticeId.ShouldBe("A-1001/delay-1/1/sms");
        change.After.Recipient.ShouldBe("+821012345678");
        change.After.TraceParent.ShouldBe("tp");
    }

    [Theory]
    [InlineData(Pending, Pending)]
    [InlineData(Deferred, Deferred)]
    [InlineData(Sending, Pending)]
    public void AClaimCountsAnAttemptAndRemembersWhatAGiveBackRestores(NoticeStatus from, NoticeStatus givenBackTo)
    {
        var notice = Waiting(from) with { Attempts = from == Sending ? 1 : 0, FirstAttemptAt = from == Sending ? Now.AddMinutes(-5) : null };

        var claim = NoticeLifecycle.Claim(notice, Now);
        var claimed = claim.After;
        var back = NoticeLifecycle.GiveBack(claimed);

        claim.Transition.ShouldBe(Claimed);
        (claim.ExpectedStatus, claim.ExpectedAttempts).ShouldBe((from, notice.Attempts));
        claimed.Status.ShouldBe(Sending);
        claimed.Attempts.ShouldBe(notice.Attempts + 1);
        claimed.FirstAttemptAt.ShouldBe(notice.FirstAttemptAt ?? Now);
        back.Transition.ShouldBe(GivenBack);
        back.After.Status.ShouldBe(givenBackTo);
        back.After.Attempts.ShouldBe(notice.Attempts);
        back.After.FirstAttemptAt.ShouldBe(notice.FirstAttemptAt);
        back.After.Why.ShouldBe("why");
        back.After.ScheduledAt.ShouldBe(notice.ScheduledAt);
        (back.ExpectedStatus, back.ExpectedAttempts).ShouldBe((Sending, claimed.Attempts));
    }

    [Fact]
    public void ChecksAtSendTimeReleaseTheClaimWithoutCountingIt()
    {
        var claimed = AClaim();

        var held = NoticeLifecycle.HoldForProvider(claimed, "circuit open", Now.AddMinutes(1));
        var deferred = NoticeLifecycle.DeferAgain(claimed, "quiet hours", Now.AddHours(8));
        var withdrawn = NoticeLifecycle.Withdraw(claimed, "opted out");

        (held.Transition, held.After.Status, held.After.ScheduledAt, held.After.Attempts).ShouldBe((HeldForProvider, Pending, Now.AddMinutes(1), 0));
        (deferred.Transition, deferred.After.Status, deferred.After.ScheduledAt, deferred.After.Why).ShouldBe((DeferredAgain, Deferred, Now.AddHours(8), "quiet hours"));
        (withdrawn.Transition, withdrawn.After.Status, withdrawn.After.ScheduledAt, withdrawn.After.Why).ShouldBe((Withdrawn, Suppressed, null, "opted out"));
        new[] { held, deferred, withdrawn }.ShouldAllBe(c => c.ExpectedStatus == Sending && c.ExpectedAttempts == 1 && c.After.FirstAttemptAt == null && c.Attempt == null);
    }

    [Fact]
    public void ARewriteKeepsTheClaimAndChangesOnlyTheText()
    {
        var claimed = AClaim();

        var change = NoticeLifecycle.Rewrite(claimed, "en-US", Message);

        change.After.ShouldBe(claimed with { Locale = "en-US", Subject = "subject", Text = "text", Html = "<p>html</p>", Notes = "notes" });
        (change.ExpectedStatus, change.ExpectedAttempts).ShouldBe((Sending, 1));
    }

    [Theory]
    [InlineData(Pending)]
    [InlineData(Deferred)]
    public void NewerNewsWithdrawsAWaitingNoticeFencedByWhatWasRead(NoticeStatus status)
    {
        var change = NoticeLifecycle.Withdraw(Waiting(status), "replaced");

        (change.After.Status, change.After.Why, change.After.ScheduledAt, change.After.Attempts).ShouldBe((Suppressed, "replaced", null, 0));
        (change.ExpectedStatus, change.ExpectedAttempts).ShouldBe((status, 0));
    }

    [Fact]
    public void AnAcceptedNoticeIsSentWithItsAttemptLogged()
    {
        var change = NoticeLifecycle.Accept(AClaim(), Now.AddSeconds(1), "SM1");

        (change.Transition, change.After.Status, change.After.SentAt, change.After.ProviderMessageId, change.After.Why).ShouldBe((Accepted, Sent, Now.AddSeconds(1), "SM1", null));
        change.Attempt.ShouldBe(new NoticeAttempt(change.After.NoticeId, 1, Now.AddSeconds(1), "sent", null, null));
        (change.ExpectedStatus, change.ExpectedAttempts).ShouldBe((Sending, 1));
    }

    [Fact]
    public void ATransientFailureIsRetriedWhileAttemptsAndTimeAreLeft()
    {
        var change = NoticeLifecycle.FailTransiently(AClaim(), Now, "20429", "busy", Now.AddMinutes(1), Retries);

        (change.Transition, change.After.Status, change.After.ScheduledAt, change.After.ProviderCode).ShouldBe((RetryScheduled, Pending, Now.AddMinutes(1), "20429"));
        change.After.Why.ShouldBe($"busy; retry at {Now.AddMinutes(1):O}");
        change.Attempt!.Outcome.ShouldBe("transient");
    }

    [Fact]
    public void ATransientFailureOnTheLastAttemptExpires()
    {
        var third = AClaim() with { Attempts = 3 };

        var change = NoticeLifecycle.FailTransiently(third, Now.AddMinutes(10), "20429", "busy", Now.AddMinutes(11), Retries);

        (change.Transition, change.After.Status, change.After.Why).ShouldBe((Expired, Failed, "gave up after 3 attempts over 10 min: busy"));
        change.Attempt!.Detail.ShouldBe(change.After.Why);
    }

    [Fact]
    public void ATransientFailureWhoseRetryWouldComeTooLateExpires()
    {
        var change = NoticeLifecycle.FailTransiently(AClaim(), Now, "500", "down", Now + Retries.RetryFor + TimeSpan.FromSeconds(1), Retries);

        change.Transition.ShouldBe(Expired);
        change.After.Status.ShouldBe(Failed);
    }

    [Theory]
    [InlineData(false, Refused)]
    [InlineData(true, OptedOut)]
    public void APermanentRefusalFails(bool optedOut, NoticeTransition transition)
    {
        var change = NoticeLifecycle.Refuse(AClaim(), Now, "21610", "provider refused: STOP", optedOut);

        (change.Transition, change.After.Status, change.After.Why).ShouldBe((transition, Failed, "provider refused: STOP"));
        change.Attempt.ShouldBe(new NoticeAttempt(change.After.NoticeId, 1, Now, "permanent", "21610", "provider refused: STOP"));
    }

    [Fact]
    public void AnSmsThatCannotReachTheCustomerFallsBackToAPendingEmail()
    {
        var sms = AClaim();

        var change = NoticeLifecycle.FallBack(NoticeRecord.FallbackEmail(sms, "minji@example.com", "ko-KR", Message, "STOP", Now, (null, null)));

        change.Transition.ShouldBe(FellBack);
        change.Creates.ShouldBeTrue();
        var email = change.After;
        (email.NoticeId, email.Channel, email.Status, email.ScheduledAt, email.Attempts).ShouldBe(("A-1001/delay-1/1/email", Channel.Email, Pending, Now, 0));
        (email.FallbackFor, email.Recipient, email.Why, email.Text).ShouldBe((sms.NoticeId, "minji@example.com", $"fallback for {sms.NoticeId}: STOP", "text"));
        (email.Sequence, email.Kind, email.CustomerId).ShouldBe((sms.Sequence, sms.Kind, sms.CustomerId));
    }

    [Fact]
    public void AtSendTimeAnOptOutWithdrawsTheNotice()
    {
        var preferences = CustomerPreferences.None("C-77") with { SmsOptOut = new OptOut(Now.AddHours(-1), "api") };

        var sendCheck = NoticeLifecycle.CheckBeforeSending(AClaim(), preferences, Now, new NoticePolicyOptions())!;
        var check = sendCheck.Change;

        sendCheck.OptedOut.ShouldBeTrue();
        (check.Transition, check.After.Status).ShouldBe((Withdrawn, Suppressed));
        check.After.Why.ShouldBe("withdrawn before sending: the customer opted out of SMS on 2026-11-24 00:00Z (api)");
    }

    [Fact]
    public void AtSendTimePreferencesWithoutTheChannelWithdrawItUnlessItIsAFallback()
    {
        var preferences = CustomerPreferences.None("C-77") with { Channels = [Channel.Email] };
        var sms = AClaim();

        var sendCheck = NoticeLifecycle.CheckBeforeSending(sms, preferences, Now, new NoticePolicyOptions())!;
        var check = sendCheck.Change;
        var fallback = NoticeLifecycle.CheckBeforeSending(NoticeLifecycle.Claim(Waiting(channel: Channel.Email) with { FallbackFor = "x" }, Now).After, preferences with { Channels = [Channel.Sms] }, Now, new NoticePolicyOptions());

        (check.Transition, check.After.Why).ShouldBe((Withdrawn, "withdrawn before sending: the customer's preferences no longer include sms"));
        sendCheck.OptedOut.ShouldBeFalse();
        fallback.ShouldBeNull();
    }

    [Fact]
    public void AtSendTimeNewQuietHoursDeferTheSmsAgain()
    {
        // 01:00 UTC is 10:00 in Seoul.
        var preferences = CustomerPreferences.None("C-77") with { QuietHours = new QuietWindow("09:00", "11:00") };

        var check = NoticeLifecycle.CheckBeforeSending(AClaim(), preferences, Now, new NoticePolicyOptions())!.Change;

        (check.Transition, check.After.Status, check.After.ScheduledAt).ShouldBe((DeferredAgain, Deferred, Now.AddHours(1)));
        check.After.Why!.ShouldStartWith("deferred: quiet hours 09:00–11:00 in Asia/Seoul");
    }

    [Fact]
    public void AtSendTimeANewLanguageRewritesTheNotice()
    {
        var preferences = CustomerPreferences.None("C-77") with { Locale = "en-US" };

        var check = NoticeLifecycle.CheckBeforeSending(AClaim(), preferences, Now, new NoticePolicyOptions())!.Change;

        (check.Transition, check.After.Status, check.After.Locale).ShouldBe((Rewritten, Sending, "en-US"));
        check.After.Text.ShouldContain("A-1001");
        check.After.Text.ShouldNotContain("주문");
    }

    [Fact]
    public void AtSendTimeUnchangedPreferencesLetItGoAsItIs()
    {
        NoticeLifecycle.CheckBeforeSending(AClaim() with { Locale = "ko-KR" }, CustomerPreferences.None("C-77"), Now, new NoticePolicyOptions()).ShouldBeNull();
    }

    public static TheoryData<NoticeStatus, NoticeTransition> IllegalMoves => new()
    {
        { Sent, Claimed },
        { Suppressed, Claimed },
        { Failed, Claimed },
        { Pending, Accepted },
        { Deferred, Refused },
        { Sent, Accepted },
        { Pending, RetryScheduled },
        { Pending, GivenBack },
        { Deferred, Rewritten },
        { Sent, Withdrawn },
        { Failed, Withdrawn },
        { Suppressed, Withdrawn },
        { Pending, DeferredAgain },
        { Pending, HeldForProvider },
    };

    [Theory]
    [MemberData(nameof(IllegalMoves))]
    public void AnIllegalTransitionThrowsNamingTheNoticeTheStatusAndTheTransition(NoticeStatus status, NoticeTransition transition)
    {
        var notice = Waiting(status) with { Attempts = 1 };
        Func<object> move = transition switch
        {
            Claimed => () => NoticeLifecycle.Claim(notice, Now),
            Accepted => () => NoticeLifecycle.Accept(notice, Now, "SM1"),
            Refused => () => NoticeLifecycle.Refuse(notice, Now, "21211", "no"),
            RetryScheduled => () => NoticeLifecycle.FailTransiently(notice, Now, "500", "down", Now.AddMinutes(1), Retries),
            GivenBack => () => NoticeLifecycle.GiveBack(notice),
            Rewritten => () => NoticeLifecycle.Rewrite(notice, "en-US", Message),
            Withdrawn => () => NoticeLifecycle.Withdraw(notice, "gone"),
            DeferredAgain => () => NoticeLifecycle.DeferAgain(notice, "quiet", Now),
            _ => () => NoticeLifecycle.HoldForProvider(notice, "open", Now),
        };

        var error = Should.Throw<InvalidOperationException>(move);

        error.Message.ShouldContain(notice.NoticeId);
        error.Message.ShouldContain(NoticeLifecycle.Name(status));
        error.Message.ShouldContain(transition.ToString());
    }

    [Fact]
    public void ANewNoticeCannotStartAsSentOrSending()
    {
        Should.Throw<InvalidOperationException>(() => NoticeLifecycle.Decide(Waiting(Sent))).Message.ShouldContain("a new notice");
        Should.Throw<InvalidOperationException>(() => NoticeLifecycle.FallBack(Waiting(Deferred)));
    }

    [Fact]
    public void EveryTransitionIsInTheTableOnce()
    {
        NoticeLifecycle.Allowed.Select(t => t.Transition).ShouldBe(Enum.GetValues<NoticeTransition>(), ignoreOrder: true);
    }

    [Fact]
    public void TheReadmeShowsTheDiagramOfTheTransitionTable()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        const string Begin = "<!-- notice-lifecycle:begin -->";
        const string End = "<!-- notice-lifecycle:end -->";
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"README.md has no {Begin} marker");
        end.ShouldBeGreaterThan(start, $"README.md has no {End} marker after {Begin}");

        var block = readme[(start + Begin.Length)..end];

        block.ShouldBe($"\n```mermaid\n{NoticeLifecycle.Mermaid()}```\n");
    }

    [Fact]
    public void TheDiagramHasAnArrowForEveryAllowedMove()
    {
        var diagram = NoticeLifecycle.Mermaid();

        diagram.ShouldStartWith("stateDiagram-v2\n");
        diagram.ShouldContain("    [*] --> deferred: decided\n");
        diagram.ShouldContain("    sending --> sending: claimed\n");
        diagram.ShouldContain("    sending --> pending: retry scheduled\n");
        diagram.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal))
            .ShouldBe(NoticeLifecycle.Allowed.Sum(t => Math.Max(1, t.From.Length) * t.To.Length));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Proactive.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Proactive.sln not found above " + AppContext.BaseDirectory);
    }
}
