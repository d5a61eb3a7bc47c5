using System.Globalization;
using System.Text;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using static Proactive.Notifier.NoticeStatus;
using static Proactive.Notifier.NoticeTransition;

namespace Proactive.Notifier;

/// <summary>
/// The life of a notice, in one place: every transition, the statuses it may start from and end
/// in (<see cref="Allowed"/>), and what each one persists. Callers ask it and store the
/// <see cref="NoticeChange"/> it returns; a transition from a status it does not allow throws.
/// A claimed notice is stored as Sending under a lease and fenced by its attempt number; the record
/// the claim returns keeps what it was claimed from (<see cref="NoticeRecord.ClaimedFrom"/>), which a
/// give-back restores.
/// </summary>
public static class NoticeLifecycle
{
    /// <summary>Waiting to be sent: claimed once its scheduled time has come.</summary>
    public static readonly IReadOnlyList<NoticeStatus> Waiting = [Pending, Deferred];

    /// <summary>
    /// Every allowed move. An empty From is a new notice. Claimed from Sending is the take-over of a
    /// claim whose lease lapsed (its sender died).
    /// </summary>
    public static readonly IReadOnlyList<(NoticeTransition Transition, NoticeStatus[] From, NoticeStatus[] To)> Allowed =
    [
        (Decided, [], [Pending, Deferred, Suppressed]),
        (FellBack, [], [Pending]),
        (Claimed, [Pending, Deferred, Sending], [Sending]),
        (GivenBack, [Sending], [Pending, Deferred]),
        (HeldForProvider, [Sending], [Pending]),
        (DeferredAgain, [Sending], [Deferred]),
        (Rewritten, [Sending], [Sending]),
        (Withdrawn, [Pending, Deferred, Sending], [Suppressed]),
        (Accepted, [Sending], [Sent]),
        (RetryScheduled, [Sending], [Pending]),
        (Expired, [Sending], [Failed]),
        (Refused, [Sending], [Failed]),
        (OptedOut, [Sending], [Failed]),
        (DeliveryConfirmed, [Sent], [Delivered]),
        (DeliveryFailed, [Sent], [Undelivered]),
    ];

    /// <summary>A notice as the policy decided it (see <see cref="NoticeRecord.Decided"/>).</summary>
    public static NoticeChange Decide(NoticeRecord notice) => Create(Decided, notice);

    /// <summary>The status a new notice starts in: not to be sent, sent later (quiet hours) or sent now.</summary>
    public static NoticeStatus StatusFor(NoticeDecision decision, DateTimeOffset now) =>
        !decision.Send ? Suppressed : decision.SendAt > now ? Deferred : Pending;

    /// <summary>The email standing in for an SMS that cannot reach the customer (see <see cref="NoticeRecord.FallbackEmail"/>).</summary>
    public static NoticeChange FallBack(NoticeRecord email) => Create(FellBack, email);

    /// <summary>
    /// Taken for sending at <paramref name="now"/>: one more attempt, the first one's time kept,
    /// fenced on the notice as it was read (the store adds the lease).
    /// </summary>
    public static NoticeChange Claim(NoticeRecord notice, DateTimeOffset now)
    {
        Check(notice, Claimed, Sending);
        var after = notice with
        {
            Status = Sending,
            Attempts = notice.Attempts + 1,
            FirstAttemptAt = notice.FirstAttemptAt ?? now,
            ClaimedFrom = notice.Status == Sending ? Pending : notice.Status,
        };
        return new NoticeChange(Claimed, after, notice.Status, notice.Attempts);
    }

    /// <summary>Back as it was before the claim, which does not count as an attempt.</summary>
    public static NoticeChange GiveBack(NoticeRecord claimed) =>
        Release(GivenBack, claimed, claimed.ClaimedFrom ?? Pending, claimed.Why, claimed.ScheduledAt);

    /// <summary>Back in the queue until the provider's circuit closes.</summary>
    public static NoticeChange HoldForProvider(NoticeRecord claimed, string why, DateTimeOffset until) =>
        Release(HeldForProvider, claimed, Pending, why, until);

    /// <summary>Checked at send time: it is quiet hours for the customer now.</summary>
    public static NoticeChange DeferAgain(NoticeRecord claimed, string why, DateTimeOffset until) =>
        Release(DeferredAgain, claimed, Deferred, why, until);

    /// <summary>Checked at send time: the customer's language changed since the decision.</summary>
    public static NoticeChange Rewrite(NoticeRecord claimed, string locale, RenderedMessage message)
    {
        Check(claimed, Rewritten, Sending);
        var after = claimed with { Locale = locale, Subject = message.Subject, Text = message.Text, Html = message.Html, Notes = message.Notes, Template = message.Template };
        return new NoticeChange(Rewritten, after, Sending, claimed.Attempts);
    }

    /// <summary>
    /// The one check just before the provider call, on the customer's preferences as they are now
    /// rather than as they were at the decision: an opt-out or channels that no longer include this
    /// one withdraw it, quiet hours defer it again, a new language or time zone rewrites it. Null:
    /// send it as it is. <see cref="SendCheck.OptedOut"/> says the withdrawal is the customer's opt-out.
    /// </summary>
    public static SendCheck? CheckBeforeSending(NoticeRecord claimed, CustomerPreferences preferences, DateTimeOffset now, NoticePolicyOptions policy, TemplateCatalog? templates = null)
    {
        if (preferences.OptOutOf(claimed.Channel) is { } optOut)
        {
            return new SendCheck(Withdraw(claimed, $"withdrawn before sending: {NoticePolicy.OptedOutReason(claimed.Channel, optOut)}"), OptedOut: true);
        }

        // The survey asks something of the customer: an opt-out of either channel is a no to it.
        if (claimed.Kind == NoticeKind.Survey && (preferences.SmsOptOut is { } sms ? (Channel.Sms, sms) : preferences.EmailOptOut is { } email ? (Channel.Email, email) : default) is ({ } other, { } stopped))
        {
            return new SendCheck(Withdraw(claimed, $"withdrawn before sending: no survey: {NoticePolicy.OptedOutReason(other, stopped)}"));
        }

        if (claimed.News is not { } news)
        {
            return null;
        }

        var told = preferences.ApplyTo(news);
        if (claimed.FallbackFor is null && !NoticePolicy.ChannelsFor(told.Customer, preferences).Contains(claimed.Channel))
        {
            return new SendCheck(Withdraw(claimed, $"withdrawn before sending: the customer's preferences no longer include {claimed.Channel.ToString().ToLowerInvariant()}"));
        }

        var schedule = NoticePolicy.Schedule(NoticeDecision.Tell(claimed.Channel, claimed.Kind), told.Customer, now, policy, preferences);
        if (schedule.SendAt > now)
        {
            return new SendCheck(DeferAgain(claimed, schedule.Why!, schedule.SendAt.Value));
        }

        // A survey keeps the words (and the signed links) it was asked with.
        return claimed.Kind == NoticeKind.Survey || (told.Customer.Locale == claimed.Locale && told.Customer.TimeZone == news.Customer.TimeZone)
            ? null
            : new SendCheck(Rewrite(claimed, told.Customer.Locale, NoticeRenderer.Render(claimed.Channel, claimed.Kind, told, policy, templates ?? TemplateCatalog.Shipped)));
    }

    /// <summary>
    /// Never to be sent. A waiting notice is withdrawn by newer news or an opt-out; a claimed one
    /// by the check at send time, its claim not counted as an attempt.
    /// </summary>
    public static NoticeChange Withdraw(NoticeRecord notice, string why) =>
        notice.Status == Sending
            ? Release(Withdrawn, notice, Suppressed, why, null)
            : Change(Withdrawn, notice, notice with { Status = Suppressed, Why = why, ScheduledAt = null });

    /// <summary>
    /// The provider accepted it at <paramref name="at"/>; <paramref name="local"/>: the local outbox
    /// file took it (no provider configured), which its attempt records as "local", not "sent".
    /// </summary>
    public static NoticeChange Accept(NoticeRecord claimed, DateTimeOffset at, string? providerMessageId, bool local = false) =>
        Settle(Accepted, claimed, Sent, at, local ? "local" : "sent", null, providerMessageId, null, null);

    /// <summary>
    /// The provider failed transiently: tried again at <paramref name="retryAt"/> while attempts and
    /// time are left (<see cref="DispatchOptions.MaxAttempts"/>, <see cref="DispatchOptions.RetryFor"/>
    /// from the first attempt), else it expires.
    /// </summary>
    public static NoticeChange FailTransiently(
        NoticeRecord claimed, DateTimeOffset at, string? providerCode, string? detail, DateTimeOffset retryAt, DispatchOptions options)
    {
        var firstAttempt = claimed.FirstAttemptAt ?? at;
        if (claimed.Attempts < options.MaxAttempts && retryAt - firstAttempt <= options.RetryFor)
        {
            return Settle(RetryScheduled, claimed, Pending, at, "transient", providerCode, null, $"{detail}; retry at {retryAt:O}", retryAt);
        }

        var gaveUp = string.Create(
            CultureInfo.InvariantCulture, $"gave up after {claimed.Attempts} attempts over {(at - firstAttempt).TotalMinutes:0} min: {detail}");
        return Settle(Expired, claimed, Failed, at, "transient", providerCode, null, gaveUp, null);
    }

    /// <summary>
    /// The provider refused it for good; <paramref name="optedOut"/> when because the customer
    /// unsubscribed (the caller records their opt-out).
    /// </summary>
    public static NoticeChange Refuse(NoticeRecord claimed, DateTimeOffset at, string? providerCode, string why, bool optedOut = false) =>
        Settle(optedOut ? OptedOut : Refused, claimed, Failed, at, "permanent", providerCode, null, why, null);

    /// <summary>
    /// The provider's receipt says the sent notice reached the customer. Only a sent notice moves:
    /// the first final receipt wins, and a late or repeated one finds nothing to change.
    /// </summary>
    public static NoticeChange ConfirmDelivery(NoticeRecord sent) =>
        Change(DeliveryConfirmed, sent, sent with { Status = Delivered });

    /// <summary>The provider's receipt says the sent notice never reached the customer, with its code and why.</summary>
    public static NoticeChange FailDelivery(NoticeRecord sent, string? providerCode, string why) =>
        Change(DeliveryFailed, sent, sent with { Status = Undelivered, ProviderCode = providerCode ?? sent.ProviderCode, Why = why });

    /// <summary>The transition table as a mermaid state diagram (the README shows it).</summary>
    public static string Mermaid()
    {
        var diagram = new StringBuilder("stateDiagram-v2\n");
        foreach (var (transition, from, to) in Allowed)
        {
            foreach (var source in from.Length == 0 ? ["[*]"] : from.Select(Name))
            {
                foreach (var target in to)
                {
                    diagram.Append(CultureInfo.InvariantCulture, $"    {source} --> {Name(target)}: {Words(transition)}\n");
                }
            }
        }

        return diagram.ToString();
    }

    /// <summary>The status as stored is its name; as the API shows it, the name in lower case.</summary>
    public static string Name(NoticeStatus status) => status.ToString().ToLowerInvariant();

    private static NoticeChange Create(NoticeTransition transition, NoticeRecord notice)
    {
        Check(transition, from: null, notice.Status, notice.NoticeId);
        return new NoticeChange(transition, notice, null, notice.Attempts);
    }

    /// <summary>A claimed notice handed back without a provider call: the claim is not counted.</summary>
    private static NoticeChange Release(NoticeTransition transition, NoticeRecord claimed, NoticeStatus to, string? why, DateTimeOffset? scheduledAt)
    {
        Check(claimed, transition, to);
        var after = claimed with
        {
            Status = to,
            Why = why,
            ScheduledAt = scheduledAt,
            Attempts = claimed.Attempts - 1,
            FirstAttemptAt = claimed.Attempts == 1 ? null : claimed.FirstAttemptAt,
            ClaimedFrom = null,
        };
        return new NoticeChange(transition, after, Sending, claimed.Attempts);
    }

    /// <summary>A claimed notice settled from the provider's answer, with the attempt logged.</summary>
    private static NoticeChange Settle(
        NoticeTransition transition,
        NoticeRecord claimed,
        NoticeStatus to,
        DateTimeOffset at,
        string outcome,
        string? providerCode,
        string? providerMessageId,
        string? detail,
        DateTimeOffset? retryAt)
    {
        Check(claimed, transition, to);
        var after = claimed with
        {
            Status = to,
            Why = to == Sent ? null : detail,
            SentAt = to == Sent ? at : claimed.SentAt,
            ScheduledAt = retryAt ?? claimed.ScheduledAt,
            ProviderMessageId = providerMessageId ?? claimed.ProviderMessageId,
            ProviderCode = providerCode ?? claimed.ProviderCode,
            ClaimedFrom = null,
        };
        var attempt = new NoticeAttempt(claimed.NoticeId, claimed.Attempts, at, outcome, providerCode, detail);
        return new NoticeChange(transition, after, Sending, claimed.Attempts, attempt);
    }

    private static NoticeChange Change(NoticeTransition transition, NoticeRecord before, NoticeRecord after)
    {
        Check(before, transition, after.Status);
        return new NoticeChange(transition, after, before.Status, before.Attempts);
    }

    private static void Check(NoticeRecord notice, NoticeTransition transition, NoticeStatus to) =>
        Check(transition, notice.Status, to, notice.NoticeId);

    private static void Check(NoticeTransition transition, NoticeStatus? from, NoticeStatus to, string noticeId)
    {
        var (_, froms, tos) = Allowed.Single(t => t.Transition == transition);
        var fromAllowed = from is { } status ? froms.Contains(status) : froms.Length == 0;
        if (!fromAllowed || !tos.Contains(to))
        {
            throw new InvalidOperationException(
                $"Notice {noticeId}: {transition} is not allowed from {(from is { } f ? Name(f) : "a new notice")} to {Name(to)}.");
        }
    }

    /// <summary>"RetryScheduled" as "retry scheduled".</summary>
    private static string Words(NoticeTransition transition) =>
        string.Concat(transition.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
