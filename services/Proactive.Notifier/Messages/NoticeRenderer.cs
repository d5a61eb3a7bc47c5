using System.Net;
using System.Text;

namespace Proactive.Notifier.Messages;

/// <summary>A message ready to send: the SMS uses only <see cref="Text"/>.</summary>
public sealed record RenderedMessage(string? Subject, string Text, string? Html);

/// <summary>
/// Writes the notice in the customer's language: what happened, the new estimate as a local date,
/// and the tracking link. SMS stays within two segments (Korean is UCS-2: 67 characters a part).
/// </summary>
public static class NoticeRenderer
{
    public const int MaxSmsSegments = 2;

    public static RenderedMessage Render(Channel channel, NoticeKind kind, EpisodeNews news, NoticePolicyOptions options)
    {
        var language = Languages.For(news.Customer.Locale);
        var zone = news.Customer.TimeZone ?? options.DefaultTimeZone;
        var texts = language == Language.Korean ? Texts.Korean : Texts.English;
        var what = kind == NoticeKind.BackOnTrack ? texts.BackOnTrack : texts.What(news.Reason, news.ExceptionCode);
        var eta = CredibleEstimate(kind, news) is { } at ? LocalDates.InZone(at, zone) : (NodaTime.LocalDate?)null;

        return channel == Channel.Sms
            ? new RenderedMessage(null, Sms(texts, kind, news, what, eta, language, options), null)
            : Email(texts, kind, news, what, eta, LocalDates.InZone(news.PromisedBy, zone), language, options);
    }

    private static string Sms(Texts texts, NoticeKind kind, EpisodeNews news, string what, NodaTime.LocalDate? eta, Language language, NoticePolicyOptions options)
    {
        var estimate = eta is { } date ? texts.EstimateShort(LocalDates.Short(date, language)) : texts.NoEstimate;
        var lead = kind == NoticeKind.FurtherDelay ? texts.Again : "";
        string Compose(bool apology, bool link) => Join(
            $"[{options.SenderName}] {texts.OrderLabel(news.OrderId)}",
            lead,
            what,
            estimate,
            apology && kind is NoticeKind.Delay or NoticeKind.FurtherDelay ? texts.Sorry : "",
            link ? news.TrackingUrl : "");

        // The fullest text that fits; the link matters more than the apology.
        var candidates = new[] { Compose(true, true), Compose(false, true), Compose(false, false) };
        return candidates.FirstOrDefault(t => SmsSegments.Count(t) <= MaxSmsSegments) ?? candidates[^1];
    }

    private static RenderedMessage Email(
        Texts texts, NoticeKind kind, EpisodeNews news, string what, NodaTime.LocalDate? eta, NodaTime.LocalDate promised, Language language, NoticePolicyOptions options)
    {
        var subject = texts.Subject(kind, news.OrderId);
        var greeting = texts.Greeting(news.Customer.Name);
        var sentence = Capitalize(what);
        var promisedLine = texts.PromisedLine(LocalDates.Long(promised, language));
        var estimateLine = eta is { } date ? texts.EstimateLong(LocalDates.Long(date, language)) : texts.NoEstimate;
        var trackLine = news.TrackingUrl is { } url ? texts.TrackLine(url) : null;
        var closing = kind switch
        {
            NoticeKind.ActionRequired => texts.ThanksForHelp,
            NoticeKind.BackOnTrack => texts.ThanksForPatience,
            _ => texts.SorryLong,
        };

        var text = new StringBuilder()
            .AppendLine(greeting).AppendLine()
            .AppendLine(kind == NoticeKind.FurtherDelay ? $"{texts.Again} {sentence}" : sentence)
            .AppendLine(promisedLine)
            .AppendLine(estimateLine);
        if (trackLine is not null)
        {
            text.AppendLine(trackLine);
        }

        text.AppendLine().AppendLine(closing).Append("— ").Append(options.SenderName);

        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append("<p>").Append(E(greeting)).Append("</p>")
            .Append("<p><strong>").Append(E(kind == NoticeKind.FurtherDelay ? $"{texts.Again} {sentence}" : sentence)).Append("</strong></p>")
            .Append("<p>").Append(E(promisedLine)).Append("<br>").Append(E(estimateLine)).Append("</p>");
        if (news.TrackingUrl is { } link)
        {
            html.Append("<p><a href=\"").Append(E(link)).Append("\">").Append(E(texts.TrackButton)).Append("</a></p>");
        }

        html.Append("<p>").Append(E(closing)).Append("<br>— ").Append(E(options.SenderName)).Append("</p></body></html>");
        return new RenderedMessage(subject, text.ToString(), html.ToString());
    }

    /// <summary>
    /// The estimate worth repeating: for a stalled parcel or a missed promise, a carrier estimate
    /// that is not past the promise is stale (the parcel is late anyway), so the message says a
    /// new date will follow instead of quoting it.
    /// </summary>
    private static DateTimeOffset? CredibleEstimate(NoticeKind kind, EpisodeNews news) =>
        news.EstimatedDeliveryAt is { } at
        && (kind == NoticeKind.BackOnTrack || at > news.PromisedBy || news.Reason is not ("STALLED" or "MISSED_PROMISE"))
            ? at
            : null;

    private static string Join(params string?[] parts) =>
        string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)));

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
