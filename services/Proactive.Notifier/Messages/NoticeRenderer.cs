using System.Net;
using System.Text;
using NodaTime;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier.Messages;

/// <summary>
/// A message ready to send: the SMS uses only <see cref="Text"/>. <see cref="Notes"/> says what the
/// renderer left out or cut (a link to a host the shop does not own, an SMS over its segment limit).
/// </summary>
public sealed record RenderedMessage(string? Subject, string Text, string? Html, string? Notes = null);

/// <summary>
/// Writes the notice in the customer's language: what happened, the new estimate as a local date,
/// and the tracking link. Upstream text reaches the message only in a safe form (see
/// <see cref="SafeText"/>, <see cref="TrackingLink"/>), and an SMS never takes more than
/// <see cref="NoticePolicyOptions.MaxSmsSegments"/> segments (Korean is UCS-2: 67 characters a part).
/// Whatever the contract lets through, it returns a message.
/// </summary>
public static class NoticeRenderer
{
    /// <summary>The order reference an SMS falls back to when the full one does not fit.</summary>
    private const int ShortOrderReference = 8;

    public static RenderedMessage Render(Channel channel, NoticeKind kind, EpisodeNews news, NoticePolicyOptions options)
    {
        var language = Languages.For(news.Customer.Locale);
        var zone = news.Customer.TimeZone ?? options.DefaultTimeZone;
        var texts = language == Language.Korean ? Texts.Korean : Texts.English;
        var what = kind switch
        {
            NoticeKind.BackOnTrack => texts.BackOnTrack,
            NoticeKind.AtRisk => texts.MayArriveLater(null),
            _ => texts.What(news.Reason, news.ExceptionCode),
        };
        var eta = CredibleEstimate(kind, news) is { } at ? LocalDates.InZone(at, zone) : null;
        var link = TrackingLink.Check(news.TrackingUrl, options.AllowedLinkHosts);

        return channel == Channel.Sms
            ? Sms(texts, kind, news, what, eta, language, link, options)
            : Email(texts, kind, news, what, eta, LocalDates.InZone(news.PromisedBy, zone), language, link, options);
    }

    /// <summary>
    /// The fullest text within the segment limit. Shortened step by step — the apology, the order
    /// reference, the "new date will follow" sentence, the detail of what happened, the order
    /// reference altogether — keeping the link; only when even the shortest text cannot carry it
    /// does the link go, and a text still too long (a long sender name) is cut.
    /// </summary>
    private static RenderedMessage Sms(
        Texts texts, NoticeKind kind, EpisodeNews news, string what, LocalDate? eta, Language language, LinkCheck link, NoticePolicyOptions options)
    {
        var max = Math.Max(1, options.MaxSmsSegments);
        var lead = kind == NoticeKind.FurtherDelay ? texts.Again : "";
        var sorry = kind is NoticeKind.Delay or NoticeKind.FurtherDelay ? texts.Sorry : "";
        var estimate = eta is { } date ? texts.EstimateShort(LocalDates.Short(date, language)) : null;
        var placeholder = texts.NoEstimate;
        var reference = SafeText.OrderReference(news.OrderId);
        var shortReference = SafeText.OrderReference(news.OrderId, ShortOrderReference);
        var generic = kind is NoticeKind.BackOnTrack or NoticeKind.AtRisk ? what : texts.What(DelayReason.Unspecified, null);
        if (kind == NoticeKind.AtRisk)
        {
            // "May arrive later than promised, now expected around {date}": the date is in the sentence.
            what = texts.MayArriveLater(eta is { } around ? LocalDates.Short(around, language) : null);
            placeholder = eta is null ? texts.Watching : "";
            estimate = null;
        }

        string Compose(string? orderRef, string whatText, bool withPlaceholder, bool apology, string? url) => Join(
            $"[{options.SenderName}] {texts.OrderLabel(orderRef)}",
            lead,
            whatText,
            estimate ?? (withPlaceholder ? placeholder : ""),
            apology ? sorry : "",
            url);

        IEnumerable<string> Steps(string? url)
        {
            yield return Compose(reference, what, true, true, url);
            yield return Compose(reference, what, true, false, url);
            yield return Compose(shortReference, what, true, false, url);
            yield return Compose(shortReference, what, false, false, url);
            yield return Compose(shortReference, generic, false, false, url);
            yield return Compose(null, generic, false, false, url);
        }

        var notes = link.LeftOut;
        if (link.Link is { } allowed)
        {
            if (Steps(allowed).FirstOrDefault(t => SmsSegments.Count(t) <= max) is { } withLink)
            {
                return new RenderedMessage(null, withLink, null, notes);
            }

            notes = $"link left out: it does not fit an SMS of {max} segment(s) (Proactive:Notices:MaxSmsSegments)";
        }

        if (Steps(null).FirstOrDefault(t => SmsSegments.Count(t) <= max) is { } text)
        {
            return new RenderedMessage(null, text, null, notes);
        }

        var cut = SmsSegments.Truncate(Steps(null).Last(), max);
        return new RenderedMessage(null, cut, null, Note(notes, $"text cut to {max} SMS segment(s) (Proactive:Notices:MaxSmsSegments)"));
    }

    private static RenderedMessage Email(
        Texts texts, NoticeKind kind, EpisodeNews news, string what, LocalDate? eta, LocalDate? promised, Language language, LinkCheck link, NoticePolicyOptions options)
    {
        var reference = SafeText.OrderReference(news.OrderId);
        // The last call is not late yet, so its subject says "may" rather than "is delayed".
        var subject = kind == NoticeKind.AtRisk || (kind == NoticeKind.Delay && news.Reason == DelayReason.PromiseAtRisk)
            ? texts.AtRiskSubject(reference)
            : texts.Subject(kind, reference);
        var greeting = texts.Greeting(SafeText.GreetingName(news.Customer.Name));
        var promisedLine = promised is { } by ? texts.PromisedLine(LocalDates.Long(by, language)) : null;
        var estimateLine = eta is { } date ? texts.EstimateLong(LocalDates.Long(date, language)) : texts.NoEstimate;
        if (kind == NoticeKind.AtRisk)
        {
            what = texts.MayArriveLater(eta is { } around ? LocalDates.Long(around, language) : null);
            estimateLine = eta is null ? texts.Watching : null;
        }

        var sentence = Capitalize(what);
        var trackLine = link.Link is { } url ? texts.TrackLine(url) : null;
        var closing = kind switch
        {
            NoticeKind.ActionRequired => texts.ThanksForHelp,
            NoticeKind.BackOnTrack => texts.ThanksForPatience,
            NoticeKind.AtRisk => texts.HeardFromUsFirst,
            _ => texts.SorryLong,
        };
        var headline = kind == NoticeKind.FurtherDelay ? $"{texts.Again} {sentence}" : sentence;
        string[] dates = [.. new[] { promisedLine, estimateLine }.OfType<string>()];

        var text = new StringBuilder().AppendLine(greeting).AppendLine().AppendLine(headline);
        foreach (var line in dates)
        {
            text.AppendLine(line);
        }

        if (trackLine is not null)
        {
            text.AppendLine(trackLine);
        }

        text.AppendLine().AppendLine(closing).Append("— ").Append(options.SenderName);

        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append("<p>").Append(E(greeting)).Append("</p>")
            .Append("<p><strong>").Append(E(headline)).Append("</strong></p>")
            .Append("<p>").Append(string.Join("<br>", dates.Select(E))).Append("</p>");
        if (link.Link is { } href)
        {
            html.Append("<p><a href=\"").Append(E(href)).Append("\">").Append(E(texts.TrackButton)).Append("</a></p>");
        }

        html.Append("<p>").Append(E(closing)).Append("<br>— ").Append(E(options.SenderName)).Append("</p></body></html>");
        return new RenderedMessage(subject, text.ToString(), html.ToString(), link.LeftOut);
    }

    /// <summary>
    /// The estimate worth repeating: for a stalled parcel, a missed promise or a promise at risk, a
    /// carrier estimate that is not past the promise is stale (the parcel is late, or may be,
    /// anyway), so the message says a new date will follow instead of quoting it. Likewise a
    /// predicted date not past the promise would contradict "may arrive later than promised".
    /// </summary>
    private static DateTimeOffset? CredibleEstimate(NoticeKind kind, EpisodeNews news) =>
        news.EstimatedDeliveryAt is { } at
        && (kind == NoticeKind.BackOnTrack || at > news.PromisedBy || news.Reason is not (DelayReason.Stalled or DelayReason.MissedPromise or DelayReason.PromiseAtRisk or DelayReason.PredictedLate))
            ? at
            : null;

    private static string? Note(string? first, string second) => first is null ? second : $"{first}; {second}";

    private static string Join(params string?[] parts) =>
        string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)));

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
