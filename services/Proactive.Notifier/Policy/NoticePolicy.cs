namespace Proactive.Notifier.Policy;

/// <summary>
/// One decision for one channel: tell the customer (as <see cref="Kind"/>, at <see cref="SendAt"/>)
/// or not, and why not, or why later.
/// </summary>
public sealed record NoticeDecision(Channel Channel, NoticeKind Kind, bool Send, string? Why, DateTimeOffset? SendAt = null)
{
    public static NoticeDecision Tell(Channel channel, NoticeKind kind) => new(channel, kind, true, null);

    public static NoticeDecision Suppress(Channel channel, NoticeKind kind, string why) => new(channel, kind, false, why);
}

/// <summary>
/// Whether to tell the customer about a delay-episode change, on which channels, as what news.
/// A pure function of the news, what was already decided for the order, the time and the options.
/// </summary>
public static class NoticePolicy
{
    /// <summary>Why news for the record only (Proactive:Prediction:Mode = internal) reaches no one.</summary>
    public const string RecordOnlyReason = "prediction mode internal: recorded, the customer is not told";

    private static readonly Channel[] AllChannels = [Channel.Sms, Channel.Email];

    /// <param name="news">The news, with the customer's preferences already laid over the contact.</param>
    /// <param name="ledger">Every notice already decided for the order (unsent ones being replaced left out).</param>
    /// <param name="preferences">The customer's own choices: opt-outs and quiet hours.</param>
    public static IReadOnlyList<NoticeDecision> Decide(
        EpisodeNews news,
        IReadOnlyList<NoticeRecord> ledger,
        DateTimeOffset now,
        NoticePolicyOptions options,
        Preferences.CustomerPreferences? preferences = null)
    {
        preferences ??= Preferences.CustomerPreferences.None(news.Customer.CustomerId);
        if (news.Kind == EpisodeNewsKind.Resolved)
        {
            return BackOnTrack(news, ledger, now, options, preferences);
        }

        var channels = ChannelsFor(news.Customer, preferences);
        var recentNews = ledger
            .Where(n => n.IsTold && n.Kind != NoticeKind.BackOnTrack && (n.SentAt ?? n.DecidedAt) > now - TimeSpan.FromHours(24))
            .Select(n => (n.EpisodeId, n.Sequence))
            .Distinct()
            .Count();

        var decisions = new List<NoticeDecision>();
        foreach (var channel in channels)
        {
            var kind = FirstKind(news);
            if (news.Customer.AddressFor(channel) is null)
            {
                if (news.Customer.Channels.Contains(channel))
                {
                    decisions.Add(NoticeDecision.Suppress(channel, kind, $"the customer asked for {Name(channel)} but gave no {Name(channel)} address"));
                }

                continue;
            }

            if (preferences.OptOutOf(channel) is { } optOut)
            {
                decisions.Add(NoticeDecision.Suppress(channel, kind, OptedOutReason(channel, optOut)));
                continue;
            }

            var last = ledger
                .Where(n => n.EpisodeId == news.EpisodeId && n.Channel == channel && n.IsTold)
                .MaxBy(n => n.Sequence);
            if (last is not null)
            {
                if (news.ActionRequired && !last.ActionRequired)
                {
                    kind = NoticeKind.ActionRequired;
                }
                else if (news.Reason == EpisodeNews.PredictedLate)
                {
                    // The model's date drifts later with every day without delivery: told once, it is
                    // told again only when a confirmed delay moves the estimate (below).
                    decisions.Add(NoticeDecision.Suppress(
                        channel,
                        NoticeKind.FurtherDelay,
                        $"still only predicted late: already told in notice {last.NoticeId}, and a changed prediction is not told again"));
                    continue;
                }
                else if (SlipSince(last, news) is { } slip && slip >= options.RenotifySlip)
                {
                    kind = NoticeKind.FurtherDelay;
                }
                else
                {
                    decisions.Add(NoticeDecision.Suppress(channel, NoticeKind.FurtherDelay, NothingNewReason(last, news, options)));
                    continue;
                }
            }

            if (news.RecordOnly)
            {
                decisions.Add(NoticeDecision.Suppress(channel, kind, RecordOnlyReason));
                continue;
            }

            if (recentNews >= options.MaxPerOrderPer24Hours)
            {
                decisions.Add(NoticeDecision.Suppress(
                    channel,
                    kind,
                    $"order cap: {recentNews} notices already told for this order in the last 24 h (max {options.MaxPerOrderPer24Hours})"));
                continue;
            }

            decisions.Add(Schedule(NoticeDecision.Tell(channel, kind), news.Customer, now, options, preferences));
        }

        return decisions;
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
        if (!options.BackOnTrack || news.Resolution != "RECOVERED")
        {
            return [];
        }

        var told = ledger
            .Where(n => n.EpisodeId == news.EpisodeId && n.Status == NoticeStatus.Sent && n.Kind != NoticeKind.BackOnTrack)
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
        var zone = Messages.LocalDates.Zone(zoneId);
        var window = preferences.QuietWindow(options);
        var sendAt = QuietHours.Parse(window.Start, window.End).NextAllowed(now, zone);
        if (sendAt <= now)
        {
            return decision with { SendAt = now };
        }

        var local = NodaTime.Instant.FromDateTimeOffset(sendAt).InZone(zone).LocalDateTime;
        return decision with
        {
            SendAt = sendAt,
            Why = $"deferred: quiet hours {window.Start}–{window.End} in {zoneId}; held until {local.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} local",
        };
    }

    public static string OptedOutReason(Channel channel, Preferences.OptOut optOut) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the customer opted out of {Name(channel)} on {optOut.At.UtcDateTime:yyyy-MM-dd HH:mm}Z ({optOut.Source})");

    /// <summary>The first notice of an episode: what the customer must do, else a prediction or a confirmed delay.</summary>
    private static NoticeKind FirstKind(EpisodeNews news) =>
        news.ActionRequired ? NoticeKind.ActionRequired
        : news.Reason == EpisodeNews.PredictedLate ? NoticeKind.AtRisk
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
                $"{news.Reason} confirms the at-risk warning already told in notice {last.NoticeId}; told again only when the estimate slips {Hours(options.RenotifySlip)} h past the one told",
            _ => $"nothing new since notice {last.NoticeId} ({news.Reason})",
        };

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static string Name(Channel channel) => channel == Channel.Sms ? "SMS" : "email";
}
