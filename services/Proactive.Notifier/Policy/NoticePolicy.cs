using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier.Policy;

/// <summary>
/// Whether to tell the customer about a delay-episode change, on which channels, as what news.
/// A pure function of the news, what was already decided for the order, the time and the options.
/// </summary>
public static class NoticePolicy
{
    /// <summary>Why news for the record only (Proactive:Prediction:Mode = internal) reaches no one.</summary>
    public const string RecordOnlyReason = "prediction mode internal: recorded, the customer is not told";

    private static readonly Channel[] AllChannels = [Channel.Sms, Channel.Email];

    /// <summary>
    /// For each channel the customer is told on (<see cref="ChannelsFor"/>): an address? not opted
    /// out? the first news of the episode, or further news since the notice last told on the channel?
    /// told, or only recorded? within the order cap? then <see cref="Schedule"/>d around quiet hours.
    /// Closing news goes to <see cref="BackOnTrack"/>.
    /// </summary>
    /// <param name="news">The news, with the customer's preferences already laid over the contact.</param>
    /// <param name="ledger">Every notice already decided for the order (unsent ones being replaced left out).</param>
    /// <param name="preferences">The customer's own choices: opt-outs and quiet hours.</param>
    /// <param name="emailSuppression">The suppression of the customer's email address, when it hard-bounced.</param>
    public static IReadOnlyList<NoticeDecision> Decide(
        EpisodeNews news,
        IReadOnlyList<NoticeRecord> ledger,
        DateTimeOffset now,
        NoticePolicyOptions options,
        Preferences.CustomerPreferences? preferences = null,
        Receipts.EmailSuppression? emailSuppression = null)
    {
        preferences ??= Preferences.CustomerPreferences.None(news.Customer.CustomerId);
        var toldToday = NewsToldInLast24Hours(ledger, now);
        var decisions = news.Kind == EpisodeNewsKind.Resolved
            ? BackOnTrack(news, ledger, now, options, preferences)
            : ChannelsFor(news.Customer, preferences)
                .Select(channel => DecideFor(channel, news, ledger, toldToday, now, options, preferences))
                .OfType<NoticeDecision>()
                .ToList();
        return emailSuppression is null ? decisions : decisions.Select(d => Undeliverable(d, emailSuppression)).ToList();
    }

    /// <summary>An email to a suppressed (hard-bounced) address is never sent: recorded suppressed, saying why.</summary>
    private static NoticeDecision Undeliverable(NoticeDecision decision, Receipts.EmailSuppression suppression) =>
        decision.Channel == Channel.Email && decision.Send
            ? NoticeDecision.Suppress(Channel.Email, decision.Kind, suppression.Why)
            : decision;

    /// <summary>The decision for one channel; null when the channel is not the customer's and has no address.</summary>
    private static NoticeDecision? DecideFor(
        Channel channel,
        EpisodeNews news,
        IReadOnlyList<NoticeRecord> ledger,
        int toldToday,
        DateTimeOffset now,
        NoticePolicyOptions options,
        Preferences.CustomerPreferences preferences)
    {
        var kind = FirstKind(news);
        if (news.Customer.AddressFor(channel) is null)
        {
            return news.Customer.Channels.Contains(channel)
                ? NoticeDecision.Suppress(channel, kind, $"the customer asked for {Name(channel)} but gave no {Name(channel)} address")
                : null;
        }

        if (preferences.OptOutOf(channel) is { } optOut)
        {
            return NoticeDecision.Suppress(channel, kind, OptedOutReason(channel, optOut));
        }

        var decision = LastTold(ledger, news.EpisodeId, channel) is { } last
            ? AfterNotice(last, channel, news, options)
            : NoticeDecision.Tell(channel, kind);
        if (!decision.Send)
        {
            return decision;
        }

        if (news.RecordOnly)
        {
            return NoticeDecision.Suppress(channel, decision.Kind, RecordOnlyReason);
        }

        if (toldToday >= options.MaxPerOrderPer24Hours)
        {
            return NoticeDecision.Suppress(
                channel,
                decision.Kind,
                $"order cap: {toldToday} notices already told for this order in the last 24 h (max {options.MaxPerOrderPer24Hours})");
        }

        return Schedule(decision, news.Customer, now, options, preferences);
    }

    /// <summary>Pieces of news (not good news) told for the order in the last 24 hours, whatever the channels.</summary>
    private static int NewsToldInLast24Hours(IReadOnlyList<NoticeRecord> ledger, DateTimeOffset now) =>
        ledger
            .Where(n => n.IsTold && n.Kind.IsWarning() && (n.SentAt ?? n.DecidedAt) > now - TimeSpan.FromHours(24))
            .Select(n => (n.EpisodeId, n.Sequence))
            .Distinct()
            .Count();

    /// <summary>The newest notice of the episode told on the channel.</summary>
    private static NoticeRecord? LastTold(IReadOnlyList<NoticeRecord> ledger, string episodeId, Channel channel) =>
        ledger.Where(n => n.EpisodeId == episodeId && n.Channel == channel && n.IsTold).MaxBy(n => n.Sequence);

    /// <summary>
    /// News of an episode already told on the channel: worth telling when the customer must now act,
    /// or when the estimate slipped at least <see cref="NoticePolicyOptions.RenotifySlip"/> past the
    /// one told; otherwise recorded with what did (not) change.
    /// </summary>
    private static NoticeDecision AfterNotice(NoticeRecord last, Channel channel, EpisodeNews news, NoticePolicyOptions options)
    {
        if (news.ActionRequired && !last.ActionRequired)
        {
            return NoticeDecision.Tell(channel, NoticeKind.ActionRequired);
        }

        if (news.Reason == DelayReason.PredictedLate)
        {
            // The model's date drifts later with every day without delivery: told once, it is
            // told again only when a confirmed delay moves the estimate.
            return NoticeDecision.Suppress(
                channel,
                NoticeKind.FurtherDelay,
                $"still only predicted late: already told in notice {last.NoticeId}, and a changed prediction is not told again");
        }

        return SlipSince(last, news) is { } slip && slip >= options.RenotifySlip
            ? NoticeDecision.Tell(channel, NoticeKind.FurtherDelay)
            : NoticeDecision.Suppress(channel, NoticeKind.FurtherDelay, NothingNewReason(last, news, options));
    }

    /// <summary>
    /// The channels to tell the customer on: those they (or the order) chose, else every channel.
    /// SMS being their only choice and stopped (often by replying STOP to a notice), they still
    /// hear by email.
    /// </summary>
    public static List<Channel> ChannelsFor(CustomerContact customer, Preferences.CustomerPreferences preferences)
    {
        var channels = customer.Channels.Count > 0 ? AllChannels.Where(customer.Channels.Contains).ToList() : [.. AllChannels];
        if (channels is [Channel.Sms] && preferences.SmsOptOut is not null && customer.Email is not null && preferences.EmailOptOut is null)
        {
            channels.Add(Channel.Email);
        }

        return channels;
    }

    /// <summary>
    /// The delay is over because the estimate recovered: the customers who were told of it hear the
    /// good news once, on the channels they were told on. Not counted against the order cap.
    /// </summary>
    private static IReadOnlyList<NoticeDecision> BackOnTrack(
        EpisodeNews news, IReadOnlyList<NoticeRecord> ledger, DateTimeOffset now, NoticePolicyOptions options, Preferences.CustomerPreferences preferences)
    {
        if (!options.BackOnTrack || news.Resolution != Resolution.Recovered)
        {
            return [];
        }

        var told = ledger
            .Where(n => n.EpisodeId == news.EpisodeId && n.Status is (NoticeStatus.Sent or NoticeStatus.Delivered) && n.Kind.IsWarning())
            .Select(n => n.Channel)
            .Distinct()
            .Order()
            .ToList();
        var decisions = new List<NoticeDecision>();
        foreach (var channel in told)
        {
            if (news.Customer.AddressFor(channel) is null)
            {
                continue;
            }

            decisions.Add(preferences.OptOutOf(channel) is { } optOut
                ? NoticeDecision.Suppress(channel, NoticeKind.BackOnTrack, OptedOutReason(channel, optOut))
                : Schedule(NoticeDecision.Tell(channel, NoticeKind.BackOnTrack), news.Customer, now, options, preferences));
        }

        return decisions;
    }

    /// <summary>Whether the notice may go out now on its channel, or must wait for the end of quiet hours.</summary>
    public static NoticeDecision Schedule(
        NoticeDecision decision, CustomerContact customer, DateTimeOffset now, NoticePolicyOptions options, Preferences.CustomerPreferences preferences)
    {
        if (decision.Channel != Channel.Sms)
        {
            return decision with { SendAt = now };
        }

        var zoneId = customer.TimeZone ?? options.DefaultTimeZone;
        var zone = customer.TimeZone is null ? options.DefaultZone : Messages.LocalDates.Zone(customer.TimeZone);
        var quiet = preferences.QuietHours is { } own ? QuietHours.Parse(own.Start, own.End) : options.DefaultQuietHours;
        var sendAt = quiet.NextAllowed(now, zone);
        if (sendAt <= now)
        {
            return decision with { SendAt = now };
        }

        var local = NodaTime.Instant.FromDateTimeOffset(sendAt).InZone(zone).LocalDateTime;
        return decision with
        {
            SendAt = sendAt,
            Why = $"deferred: quiet hours {quiet} in {zoneId}; held until {local.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} local",
        };
    }

    public static string OptedOutReason(Channel channel, Preferences.OptOut optOut) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the customer opted out of {Name(channel)} on {optOut.At.UtcDateTime:yyyy-MM-dd HH:mm}Z ({optOut.Source})");

    /// <summary>The first notice of an episode: what the customer must do, else a prediction or a confirmed delay.</summary>
    private static NoticeKind FirstKind(EpisodeNews news) =>
        news.ActionRequired ? NoticeKind.ActionRequired
        : news.Reason == DelayReason.PredictedLate ? NoticeKind.AtRisk
        : NoticeKind.Delay;

    private static TimeSpan? SlipSince(NoticeRecord last, EpisodeNews news) =>
        news.EstimatedDeliveryAt is { } eta && last.EstimatedDeliveryAt is { } told ? eta - told : null;

    private static string NothingNewReason(NoticeRecord last, EpisodeNews news, NoticePolicyOptions options) =>
        SlipSince(last, news) switch
        {
            { } slip when slip > TimeSpan.Zero =>
                $"estimate slipped {Hours(slip)} h since notice {last.NoticeId}; re-notify threshold is {Hours(options.RenotifySlip)} h",
            { } slip when slip < TimeSpan.Zero =>
                $"estimate moved {Hours(-slip)} h earlier but the order is still late; already told in notice {last.NoticeId}",
            _ when last.Kind == NoticeKind.AtRisk =>
                $"{WireName.Of(news.Reason)} confirms the at-risk warning already told in notice {last.NoticeId}; told again only when the estimate slips {Hours(options.RenotifySlip)} h past the one told",
            _ => $"nothing new since notice {last.NoticeId} ({WireName.Of(news.Reason)})",
        };

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static string Name(Channel channel) => channel == Channel.Sms ? "SMS" : "email";
}
