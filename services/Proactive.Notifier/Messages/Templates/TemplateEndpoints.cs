using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>
/// The template API, all under scope templates:write: read the template in use for a key, store a
/// new version (checked first: 400 naming line and column, nothing stored), list and restore
/// versions, and preview a template or a draft for a sample or a real order.
/// </summary>
public static class TemplateEndpoints
{
    public const string Route = "/v1/templates/{kind}/{channel}/{language}";

    public static IEndpointRouteBuilder MapTemplates(this IEndpointRouteBuilder endpoints)
    {
        var templates = endpoints.MapGroup("").RequireAuthorization(Scopes.TemplatesWrite);
        templates.MapGet(Route, Get);
        templates.MapPut(Route, PutAsync);
        templates.MapGet(Route + "/versions", VersionsAsync);
        templates.MapPost(Route + "/versions/{version:long}:restore", RestoreAsync);
        templates.MapPost("/v1/templates/preview", PreviewAsync);
        return endpoints;
    }

    /// <summary>A PUT's body: the template's text, and an optional note for the version list.</summary>
    public sealed record TemplateBody(string? Source, string? Note);

    /// <summary>The template in use for a key: its version name ("delay/sms/en@api-3"), where it comes from, its text.</summary>
    public sealed record TemplateView(string Kind, string Channel, string Language, string Name, string Origin, string Source);

    public sealed record VersionView(long Version, string Name, string CreatedBy, DateTimeOffset CreatedAt, string? Note, string Source);

    /// <summary>Refused: what and where ("line 2, column 5").</summary>
    public sealed record TemplateError(string Error, int? Line = null, int? Column = null);

    public sealed record PreviewRequest(string? Kind, string? Channel, string? Language, string? Draft, string? OrderId);

    public sealed record PreviewView(
        string Template,
        string? Text,
        int? Segments,
        string? Encoding,
        string? Subject,
        string? Html,
        string? Notes,
        [property: JsonPropertyName("sample")] bool Sample);

    private static Results<Ok<TemplateView>, BadRequest<TemplateError>> Get(string kind, string channel, string language, TemplateCatalog catalog)
    {
        if (!TemplateKey.TryParse(kind, channel, language, out var key, out var error))
        {
            return TypedResults.BadRequest(new TemplateError(error));
        }

        var t = catalog.Resolve(key);
        return TypedResults.Ok(new TemplateView(key.Kind, key.Channel, key.Language, t.Name, Origin(t), t.Source));
    }

    private static async Task<Results<Ok<VersionView>, BadRequest<TemplateError>>> PutAsync(
        string kind, string channel, string language, TemplateBody body, HttpContext http, TemplateCatalog catalog, NoticeStore store, TimeProvider time, CancellationToken ct)
    {
        if (!TemplateKey.TryParse(kind, channel, language, out var key, out var error))
        {
            return TypedResults.BadRequest(new TemplateError(error));
        }

        return await StoreAsync(key, body.Source, body.Note, http, catalog, store, time, ct);
    }

    private static async Task<Results<Ok<List<VersionView>>, BadRequest<TemplateError>>> VersionsAsync(
        string kind, string channel, string language, NoticeStore store, CancellationToken ct)
    {
        if (!TemplateKey.TryParse(kind, channel, language, out var key, out var error))
        {
            return TypedResults.BadRequest(new TemplateError(error));
        }

        var versions = await store.ReadAsync(r => r.Templates.VersionsAsync(key), ct);
        return TypedResults.Ok(versions.Select(View).ToList());
    }

    private static async Task<Results<Ok<VersionView>, BadRequest<TemplateError>, NotFound<TemplateError>>> RestoreAsync(
        string kind, string channel, string language, long version, HttpContext http, TemplateCatalog catalog, NoticeStore store, TimeProvider time, CancellationToken ct)
    {
        if (!TemplateKey.TryParse(kind, channel, language, out var key, out var error))
        {
            return TypedResults.BadRequest(new TemplateError(error));
        }

        if (await store.ReadAsync(r => r.Templates.VersionAsync(key, version), ct) is not { } old)
        {
            return TypedResults.NotFound(new TemplateError($"version: {key} has no version {version}"));
        }

        return await StoreAsync(key, old.Source, $"restored version {version}", http, catalog, store, time, ct) switch
        {
            { Result: Ok<VersionView> ok } => ok,
            { Result: BadRequest<TemplateError> bad } => bad,
            _ => throw new InvalidOperationException("unexpected result"),
        };
    }

    private static async Task<Results<Ok<VersionView>, BadRequest<TemplateError>>> StoreAsync(
        TemplateKey key, string? source, string? note, HttpContext http, TemplateCatalog catalog, NoticeStore store, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return TypedResults.BadRequest(new TemplateError("source: the template text is required"));
        }

        if (!catalog.TryCompile(key, source, "api-draft", out _, out var problem))
        {
            return TypedResults.BadRequest(new TemplateError($"source: {problem}", problem!.Line, problem.Column));
        }

        var who = http.User.Identity?.Name is { Length: > 0 } name ? name : "unknown";
        var stored = await store.InTransactionAsync(s => s.Templates.AddAsync(key, source, who, time.GetUtcNow(), note), ct);
        catalog.TryCompile(key, source, $"api-{stored.Version}", out var compiled, out _);
        catalog.UseStored(compiled!);
        return TypedResults.Ok(View(stored));
    }

    private static async Task<Results<Ok<PreviewView>, BadRequest<TemplateError>, NotFound<TemplateError>>> PreviewAsync(
        PreviewRequest request, TemplateCatalog catalog, NoticeStore store, IOptions<NoticePolicyOptions> policy, CancellationToken ct)
    {
        if (!TemplateKey.TryParse(request.Kind ?? "", request.Channel ?? "", request.Language ?? "", out var key, out var error))
        {
            return TypedResults.BadRequest(new TemplateError(error));
        }

        CompiledTemplate? draft = null;
        if (request.Draft is { } text && !catalog.TryCompile(key, text, "draft", out draft, out var problem))
        {
            return TypedResults.BadRequest(new TemplateError($"draft: {problem}", problem!.Line, problem.Column));
        }

        var noticeKind = TemplateCompiler.KindOf(key.Kind);
        TemplateModel model;
        LinkCheck link;
        string? orderId;
        if (request.OrderId is { Length: > 0 } id)
        {
            var notices = await store.ReadAsync(r => r.NoticesForOrderAsync(id), ct);
            if (notices.LastOrDefault(n => n.News is not null)?.News is not { } news)
            {
                return TypedResults.NotFound(new TemplateError($"orderId: no notice news for order '{id}'"));
            }

            // The real order, in the language asked for.
            news = news with { Customer = news.Customer with { Locale = key.Language } };
            (model, link) = noticeKind == NoticeKind.Survey
                ? (SurveyMessages.Model(news, policy.Value.SenderName, TemplateCompiler.SampleSurvey.Links, TimeSpan.FromDays(TemplateCompiler.SampleSurvey.ValidDays), catalog), new LinkCheck(null, null))
                : NoticeRenderer.Model(noticeKind, news, policy.Value, catalog);
            orderId = news.OrderId;
        }
        else
        {
            model = TemplateCompiler.Sample(key, policy.Value.SenderName, supportContact: catalog.SupportContact);
            link = new LinkCheck(model.TrackingLink, null);
            orderId = model.OrderId;
        }

        CompiledTemplate Part(string channel) => draft is not null && key.Channel == channel ? draft : catalog.Resolve(key with { Channel = channel });
        if (key.IsSms)
        {
            var sms = noticeKind == NoticeKind.Survey
                ? SurveyMessages.Sms(Part("sms"), orderId, model, policy.Value.MaxSmsSegments)
                : NoticeRenderer.Sms(Part("sms"), noticeKind, key.Language, orderId, model, link, policy.Value);
            return TypedResults.Ok(new PreviewView(
                sms.Template!, sms.Text, SmsSegments.Count(sms.Text), SmsSegments.IsGsm7(sms.Text) ? "GSM-7" : "UCS-2", null, null, sms.Notes, request.OrderId is null));
        }

        var (subject, body, html) = (Part("email.subject"), Part("email.text"), Part("email.html"));
        return TypedResults.Ok(new PreviewView(
            NoticeRenderer.EmailName(subject, body, html),
            TemplateCompiler.Render(body, model),
            null,
            null,
            TemplateCompiler.Render(subject, model),
            TemplateCompiler.Render(html, model),
            link.LeftOut,
            request.OrderId is null));
    }

    private static VersionView View(StoredTemplate s) => new(s.Version, $"{s.Key}@api-{s.Version}", s.CreatedBy, s.CreatedAt, s.Note, s.Source);

    private static string Origin(CompiledTemplate t) =>
        t.Version.StartsWith("api-", StringComparison.Ordinal) ? "api" : t.Version.StartsWith("file:", StringComparison.Ordinal) ? "file" : "default";
}
