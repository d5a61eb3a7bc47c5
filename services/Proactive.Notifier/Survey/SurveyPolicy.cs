using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;

namespace Proactive.Notifier.Survey;

/// <summary>Whether the customer's answer can come back on each channel: SMS needs the Twilio inbound webhook, email the public address its links point to.</summary>
public sealed record SurveyReach(bool SmsAnswersHeard, bool EmailLinksWork);

/// <summary>
/// Whether a delivered order is asked the one-question survey, on which channel, when, and which
/// CSAT cohort it counts in. Pure: a function of the news, the order's notices, the time and the options.
/// </summary>
public static class SurveyPolicy
{
    /// <summary>When the order was delivered: as the news says, else when Tracker saw it, else now.</summary>
    public static DateTimeOffset DeliveredAt(EpisodeNews news, DateTimeOffset now) => news.DeliveredAt ?? news.OccurredAt ?? now;

    /// <summary>
    /// The order had a delay episode, and not only a forecast proven wrong: an order whose last
    /// episode was a forecast (PREDICTED_LATE, PROMISE_AT_RISK) and which came by its promise was not late.
    /// </summary>
    public static bool WasDelayed(EpisodeNews news) =>
        (news.EpisodeCount > 0 || news.Kind == EpisodeNewsKind.Resolved)
        && !(Incidents.IncidentRule.IsForecast(news.Reason) && news.DeliveredAt is { } at && at <= news.PromisedBy);

    /// <summary>
    /// Whether the news asks a survey at all: on, news of a delivery, not older than
    /// <see cref="SurveyOptions.MaxAge"/>, and the order in the audience (a delayed order always;
    /// with audience "all", a sample of the others).
    /// </summary>
    public static bool Asks(EpisodeNews news, DateTimeOffset now, SurveyOptions options) =>
        options.Enabled
        && news.IsDelivery
        && now - DeliveredAt(news, now) <= options.MaxAge
        && (WasDelayed(news) || (options.AllOrders && Sampled(news.OrderId, options.SampleRate)));

    /// <summary>
    /// Whether the order falls in a sample of <paramref name="rate"/>: the first 8 bytes of
    /// SHA-256 of its id as a fraction of 2^64, so every replica and every redelivery agrees.
    /// </summary>
    public static bool Sampled(string orderId, double rate)
    {
        if (rate >= 1)
        {
            return true;
        }

        if (rate <= 0)
        {
            return false;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(orderId));
        return BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0 < rate;
    }

    /// <summary>The delay notices that reached the customer (sent or delivered; not undelivered).</summary>
    private static IEnumerable<NoticeRecord> Told(IReadOnlyList<NoticeRecord> ledger) =>
        ledger.Where(n => n.Kind.IsWarning() && n.Status is NoticeStatus.Sent or NoticeStatus.Delivered && n.SentAt is not null);

    /// <summary>The cohort the order counts in, and when it was first told of a delay.</summary>
    public static (string Cohort, DateTimeOffset? FirstToldAt) Cohort(EpisodeNews news, IReadOnlyList<NoticeRecord> ledger)
    {
        var firstTold = Told(ledger).Min(n => n.SentAt);
        var delayed = WasDelayed(news) || ledger.Any(n => n.Kind.IsWarning() && !Incidents.IncidentRule.IsForecast(n.Reason));
        var cohort = !delayed ? SurveyCohorts.NotDelayed
            : firstTold is not { } at ? SurveyCohorts.NeverTold
            : at < news.PromisedBy ? SurveyCohorts.ToldEarly
            : SurveyCohorts.ToldLate;
        return (cohort, delayed ? firstTold : null);
    }

    /// <summary>
    /// The survey notice: on the channel that told the customer of the delay (the newest delay
    /// notice that reached them), else the first channel they can be reached on; another channel
    /// when that one cannot carry the answer back; suppressed, saying why, when the customer opted
    /// out of anything or no channel works. Asked <see cref="SurveyOptions.Delay"/> after delivery,
    /// outside quiet hours on both channels. Null when the customer has no address at all.
    /// </summary>
    /// <param name="told">The news with the customer's preferences laid over the contact.</param>
    public static NoticeDecision? Decide(
        EpisodeNews told,
        IReadOnlyList<NoticeRecord> ledger,
        DateTimeOffset now,
        SurveyOptions options,
        NoticePolicyOptions policy,
        CustomerPreferences preferences,
        EmailSuppression? emailSuppression,
        SurveyReach reach)
    {
        // The newest news told first, SMS before email for the same news: not the send times, which
        // differ by whichever provider answered first. Only channels the customer still wants.
        var wanted = NoticePolicy.ChannelsFor(told.Customer, preferences);
        var candidates = Told(ledger).OrderByDescending(n => n.Sequence).ThenBy(n => n.Channel).Select(n => n.Channel)
            .Where(wanted.Contains)
            .Concat(wanted)
            .Distinct()
            .Where(c => told.Customer.AddressFor(c) is not null)
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        if ((preferences.SmsOptOut is { } sms ? (Channel.Sms, sms) : preferences.EmailOptOut is { } email ? (Channel.Email, email) : default) is ({ } channel, { } optOut))
        {
            return NoticeDecision.Suppress(candidates[0], NoticeKind.Survey, $"no survey: {NoticePolicy.OptedOutReason(channel, optOut)}");
        }

        var unreachable = new List<string>();
        foreach (var candidate in candidates)
        {
            if (Unreachable(candidate, emailSuppression, reach) is { } why)
            {
                unreachable.Add(why);
                continue;
            }

            return Schedule(NoticeDecision.Tell(candidate, NoticeKind.Survey), told, now, options, policy, preferences);
        }

        return NoticeDecision.Suppress(candidates[0], NoticeKind.Survey, $"no survey: {string.Join("; ", unreachable)}");
    }

    private static string? Unreachable(Channel channel, EmailSuppression? emailSuppression, SurveyReach reach) => channel switch
    {
        Channel.Email when emailSuppression is not null => $"email: {emailSuppression.Why}",
        Channel.Email when !reach.EmailLinksWork => "email: its answer links need Proactive:Webhooks:PublicBaseUrl",
        Channel.Sms when !reach.SmsAnswersHeard => "SMS: the answer cannot be heard without the Twilio inbound webhook (Proactive:Webhooks:PublicBaseUrl and a Twilio auth token)",
        _ => null,
    };

    /// <summary>
    /// <see cref="SurveyOptions.Delay"/> after delivery (not before now), then past the customer's
    /// quiet hours whatever the channel: the survey asks something of them, it is not news.
    /// </summary>
    public static NoticeDecision Schedule(
        NoticeDecision decision, EpisodeNews told, DateTimeOffset now, SurveyOptions options, NoticePolicyOptions policy, CustomerPreferences preferences)
    {
        var after = DeliveredAt(told, now) + options.Delay;
        if (after < now)
        {
            after = now;
        }

        var customer = told.Customer;
        var zoneId = customer.TimeZone ?? policy.DefaultTimeZone;
        var zone = customer.TimeZone is null ? policy.DefaultZone : Messages.LocalDates.Zone(customer.TimeZone);
        var quiet = preferences.QuietHours is { } own ? QuietHours.Parse(own.Start, own.End) : policy.DefaultQuietHours;
        var sendAt = quiet.NextAllowed(after, zone);
        if (sendAt <= now)
        {
            return decision with { SendAt = now };
        }

        var local = NodaTime.Instant.FromDateTimeOffset(sendAt).InZone(zone).LocalDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return decision with
        {
            SendAt = sendAt,
            Why = sendAt > after
                ? $"deferred: quiet hours {quiet} in {zoneId}; asked at {local} local"
                : $"deferred: asked {options.Delay} after delivery, at {local} local",
        };
    }
}
