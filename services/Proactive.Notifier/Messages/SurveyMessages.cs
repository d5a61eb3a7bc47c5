using Proactive.Notifier.Messages.Templates;

namespace Proactive.Notifier.Messages;

/// <summary>
/// The survey after delivery, written through its templates (kind "survey" in the
/// <see cref="TemplateCatalog"/>: API version, else override file, else the shipped
/// <c>survey.*.liquid</c>): the SMS asks for a reply 1 to 5, the email carries the five one-click
/// links. The shipped English SMS stays GSM-7 (no en dash), so it fits one segment.
/// </summary>
public static class SurveyMessages
{
    /// <summary>What the survey templates see: first name, order id, shop name, the answer links (score 1 first) and how many days they work.</summary>
    public static TemplateModel Model(EpisodeNews told, string senderName, IReadOnlyList<string> links, TimeSpan lifetime, TemplateCatalog templates) => new(
        FirstName: SafeText.GreetingName(told.Customer.Name),
        OrderId: SafeText.OrderReference(told.OrderId),
        PromisedDate: null,
        PromisedDateLong: null,
        NewDate: null,
        NewDateLong: null,
        Reason: "",
        TrackingLink: null,
        ShopName: senderName,
        SupportContact: templates.SupportContact,
        Kind: TemplateCompiler.WireKind(NoticeKind.Survey),
        AtRisk: false,
        Survey: new SurveyModel(links, Math.Max(1, (int)Math.Round(lifetime.TotalDays))));

    /// <summary>The survey SMS with the shipped templates.</summary>
    public static RenderedMessage RenderSms(EpisodeNews told, string senderName, int maxSegments) =>
        RenderSms(told, senderName, maxSegments, TemplateCatalog.Shipped);

    /// <summary>
    /// The survey SMS within <paramref name="maxSegments"/>: the full text, else its brief form with
    /// the order reference shortened, else that cut (a long sender name).
    /// </summary>
    public static RenderedMessage RenderSms(EpisodeNews told, string senderName, int maxSegments, TemplateCatalog templates)
    {
        var template = templates.For(NoticeKind.Survey, "sms", told.Customer.Locale);
        var model = Model(told, senderName, [], TimeSpan.Zero, templates);
        return Sms(template, told.OrderId, model, maxSegments);
    }

    /// <summary>The fullest survey SMS <paramref name="template"/> writes within <paramref name="maxSegments"/>.</summary>
    public static RenderedMessage Sms(CompiledTemplate template, string? orderId, TemplateModel model, int maxSegments)
    {
        var max = Math.Max(1, maxSegments);
        var brief = model with { Brief = true, OrderId = SafeText.OrderReference(orderId, TemplateCompiler.ShortOrderReference) };
        var texts = new[] { model, brief }.Select(m => TemplateCompiler.Render(template, m)).ToList();
        return texts.FirstOrDefault(t => SmsSegments.Count(t) <= max) is { } text
            ? new RenderedMessage(null, text, null, Template: template.Name)
            : new RenderedMessage(null, SmsSegments.Truncate(texts[^1], max), null, $"text cut to {max} SMS segment(s) (Proactive:Notices:MaxSmsSegments)", template.Name);
    }

    /// <summary>The survey email with the shipped templates.</summary>
    public static RenderedMessage RenderEmail(EpisodeNews told, string senderName, IReadOnlyList<string> links, TimeSpan lifetime) =>
        RenderEmail(told, senderName, links, lifetime, TemplateCatalog.Shipped);

    /// <summary>The survey email: <paramref name="links"/> are the five answer links, score 1 first (none: a survey that is not sent).</summary>
    public static RenderedMessage RenderEmail(EpisodeNews told, string senderName, IReadOnlyList<string> links, TimeSpan lifetime, TemplateCatalog templates)
    {
        var model = Model(told, senderName, links, lifetime, templates);
        var subject = templates.For(NoticeKind.Survey, "email.subject", told.Customer.Locale);
        var text = templates.For(NoticeKind.Survey, "email.text", told.Customer.Locale);
        var html = templates.For(NoticeKind.Survey, "email.html", told.Customer.Locale);
        return new RenderedMessage(
            TemplateCompiler.Render(subject, model),
            TemplateCompiler.Render(text, model),
            TemplateCompiler.Render(html, model),
            Template: NoticeRenderer.EmailName(subject, text, html));
    }
}
