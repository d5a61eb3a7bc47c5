using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Messages.Templates;

namespace Proactive.Notifier.Messages;

/// <summary>
/// A message ready to send: the SMS uses only <see cref="Text"/>. <see cref="Notes"/> says what the
/// renderer left out or cut (a link to a host the shop does not own, an SMS over its segment limit);
/// <see cref="Template"/> names the template version(s) that wrote it ("delay/sms/pt-BR@api-7").
/// </summary>
public sealed record RenderedMessage(string? Subject, string Text, string? Html, string? Notes = null, string? Template = null);

/// <summary>
/// Writes the notice in the customer's language through its templates (<see cref="TemplateCatalog"/>):
/// the template sees a fixed model (<see cref="TemplateModel"/>) of safe values — upstream text only
/// in a safe form (see <see cref="SafeText"/>, <see cref="TrackingLink"/>), dates in the
/// customer's zone and language. An SMS never takes more than
/// <see cref="NoticePolicyOptions.MaxSmsSegments"/> segments (Korean is UCS-2: 67 characters a part).
/// Whatever the contract lets through, it returns a message.
/// </summary>
public static class NoticeRenderer
{
    /// <summary>With the shipped templates only.</summary>
    public static RenderedMessage Render(Channel channel, NoticeKind kind, EpisodeNews news, NoticePolicyOptions options) =>
        Render(channel, kind, news, options, TemplateCatalog.Shipped);

    public static RenderedMessage Render(Channel channel, NoticeKind kind, EpisodeNews news, NoticePolicyOptions options, TemplateCatalog templates)
    {
        var (model, link) = Model(kind, news, options, templates);
        return channel == Channel.Sms
            ? Sms(templates.For(kind, "sms", news.Customer.Locale), kind, TemplateLanguages.For(news.Customer.Locale), news.OrderId, model, link, options)
            : Email(kind, news.Customer.Locale, model, link, templates);
    }

    /// <summary>The values the templates see for this news, and what the tracking-link check said.</summary>
    public static (TemplateModel Model, LinkCheck Link) Model(NoticeKind kind, EpisodeNews news, NoticePolicyOptions options, TemplateCatalog templates)
    {
        var language = TemplateLanguages.For(news.Customer.Locale);
        var zone = news.Customer.TimeZone ?? options.DefaultTimeZone;
        var eta = CredibleEstimate(kind, news) is { } at ? LocalDates.InZone(at, zone) : null;
        var promised = LocalDates.InZone(news.PromisedBy, zone);
        var link = TrackingLink.Check(news.TrackingUrl, options.AllowedLinkHosts);
        var model = new TemplateModel(
            FirstName: SafeText.GreetingName(news.Customer.Name),
            OrderId: SafeText.OrderReference(news.OrderId),
            PromisedDate: promised is { } p ? LocalDates.Short(p, language) : null,
            PromisedDateLong: promised is { } pl ? LocalDates.Long(pl, language) : null,
            NewDate: eta is { } e ? LocalDates.Short(e, language) : null,
            NewDateLong: eta is { } el ? LocalDates.Long(el, language) : null,
            Reason: Reasons.For(language, kind, news.Reason, news.ExceptionCode),
            TrackingLink: link.Link,
            ShopName: options.SenderName,
            SupportContact: templates.SupportContact,
            Kind: TemplateCompiler.WireKind(kind == NoticeKind.Survey ? NoticeKind.Delay : kind),
            AtRisk: kind == NoticeKind.AtRisk || (kind == NoticeKind.Delay && news.Reason == DelayReason.PromiseAtRisk));
        return (model, link);
    }

    /// <summary>
    /// The fullest text within the segment limit. Shortened step by step — the brief form (the
    /// shipped templates leave out the apology and the "new date will follow" sentence), the order
    /// reference shortened, the generic sentence for what happened, no order reference — keeping
    /// the link; only when even the shortest text cannot carry it does the link go, and a text
    /// still too long (a long sender name) is cut.
    /// </summary>
    public static RenderedMessage Sms(CompiledTemplate template, NoticeKind kind, string language, string? orderId, TemplateModel model, LinkCheck link, NoticePolicyOptions options)
    {
        var max = Math.Max(1, options.MaxSmsSegments);
        var brief = model with { Brief = true };
        var shortReference = brief with { OrderId = SafeText.OrderReference(orderId, TemplateCompiler.ShortOrderReference) };
        var generic = shortReference with { Reason = Reasons.Generic(language, kind) };
        TemplateModel[] steps = [model, brief, shortReference, generic, generic with { OrderId = null }];

        var notes = link.LeftOut;
        if (link.Link is not null)
        {
            if (steps.Select(m => TemplateCompiler.Render(template, m)).FirstOrDefault(t => SmsSegments.Count(t) <= max) is { } withLink)
            {
                return new RenderedMessage(null, withLink, null, notes, template.Name);
            }

            notes = $"link left out: it does not fit an SMS of {max} segment(s) (Proactive:Notices:MaxSmsSegments)";
        }

        var withoutLink = steps.Select(m => TemplateCompiler.Render(template, m with { TrackingLink = null })).ToList();
        if (withoutLink.FirstOrDefault(t => SmsSegments.Count(t) <= max) is { } text)
        {
            return new RenderedMessage(null, text, null, notes, template.Name);
        }

        var cut = SmsSegments.Truncate(withoutLink[^1], max);
        return new RenderedMessage(null, cut, null, Note(notes, $"text cut to {max} SMS segment(s) (Proactive:Notices:MaxSmsSegments)"), template.Name);
    }

    private static RenderedMessage Email(NoticeKind kind, string? locale, TemplateModel model, LinkCheck link, TemplateCatalog templates)
    {
        var subject = templates.For(kind, "email.subject", locale);
        var text = templates.For(kind, "email.text", locale);
        var html = templates.For(kind, "email.html", locale);
        return new RenderedMessage(
            TemplateCompiler.Render(subject, model),
            TemplateCompiler.Render(text, model),
            TemplateCompiler.Render(html, model),
            link.LeftOut,
            EmailName(subject, text, html));
    }

    /// <summary>"delay/email.subject/en@default:1a2b3c4d delay/email.text/en@api-2 ...": the three parts of an email.</summary>
    public static string EmailName(CompiledTemplate subject, CompiledTemplate text, CompiledTemplate html) => $"{subject.Name} {text.Name} {html.Name}";

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
}
