using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>Where a template is at fault: 1-based line and column, and what is wrong there.</summary>
public sealed record TemplateProblem(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>A template that parsed and passed every check, and which version of it this is.</summary>
/// <param name="Version">"default:1a2b3c4d" (shipped), "file:1a2b3c4d" (override folder, a hash of its text), "api-7" (stored through the API).</param>
public sealed record CompiledTemplate(TemplateKey Key, string Version, string Source, IFluidTemplate Fluid)
{
    /// <summary>What a notice records: "delay/sms/pt-BR@api-7".</summary>
    public string Name => $"{Key}@{Version}";
}

/// <summary>
/// Parses a template and checks it before it is ever used — at start, on a refresh, at PUT: it
/// must parse, name only <see cref="TemplateModel.Paths"/> (and variables it assigns itself),
/// use only known filters and no include/render, and an SMS must fit the segment limit in its
/// briefest form with plausible values. Every refusal names a line and column.
/// </summary>
public static partial class TemplateCompiler
{
    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithMaxSteps(100_000)
        .WithMaxRecursion(16)
        .WithStrictFilters()
        .AddFilter("upcase_first", (input, _, context) =>
        {
            var s = input.ToStringValue(context);
            return StringValue.Create(s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..]);
        })
        .Build();

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The longest order reference an SMS keeps when the full one does not fit.</summary>
    public const int ShortOrderReference = 8;

    public static bool TryCompile(
        TemplateKey key, string source, string version, int maxSmsSegments, string shopName,
        [NotNullWhen(true)] out CompiledTemplate? template, [NotNullWhen(false)] out TemplateProblem? problem)
    {
        template = null;
        if (!TryParse(source, out var fluid, out problem))
        {
            return false;
        }

        var walk = new ModelWalk();
        walk.VisitTemplate(fluid);
        if (walk.Problem is { } found)
        {
            problem = Locate(source, found.Pattern, found.Message);
            return false;
        }

        var compiled = new CompiledTemplate(key, version, source, fluid);
        if (key.IsSms && TooLong(compiled, maxSmsSegments, shopName) is { } segments)
        {
            problem = LocateOverflow(key, source, maxSmsSegments, shopName)
                ?? new TemplateProblem(1, 1, Overflow(segments, maxSmsSegments));
            return false;
        }

        template = compiled;
        return true;
    }

    /// <summary>The template's text for <paramref name="model"/>: an SMS or a subject on one line, HTML encoded for email.html only.</summary>
    public static string Render(CompiledTemplate template, TemplateModel model)
    {
        var context = new TemplateContext(Options);
        foreach (var (name, value) in model.Values())
        {
            context.SetValue(name, value ?? NilValue.Instance);
        }

        var text = template.Key.IsHtml ? template.Fluid.Render(context, Html) : template.Fluid.Render(context, NullEncoder.Default);
        return template.Key.Channel is "sms" or "email.subject" ? OneLine(text) : text.Trim('\n', '\r', ' ');
    }

    /// <summary>
    /// Plausible values to check and preview a template with: a sample order in the language, its
    /// dates written the language's way.
    /// </summary>
    public static TemplateModel Sample(TemplateKey key, string shopName, bool brief = false, bool withNewDate = true, string? supportContact = null)
    {
        var promised = new NodaTime.LocalDate(2026, 11, 25);
        var estimate = new NodaTime.LocalDate(2026, 11, 28);
        var kind = KindOf(key.Kind);
        var reasonKind = kind == NoticeKind.Survey ? NoticeKind.Delay : kind;
        return new TemplateModel(
            FirstName: "Alex",
            OrderId: brief ? "A-100123" : "ORDER-2026-000123",
            PromisedDate: LocalDates.Short(promised, key.Language),
            PromisedDateLong: LocalDates.Long(promised, key.Language),
            NewDate: withNewDate ? LocalDates.Short(estimate, key.Language) : null,
            NewDateLong: withNewDate ? LocalDates.Long(estimate, key.Language) : null,
            Reason: brief ? Reasons.Generic(key.Language, reasonKind) : Reasons.For(key.Language, reasonKind, Contracts.Tracker.V1.DelayReason.CarrierException, "WEATHER"),
            TrackingLink: "https://shop.example/orders/A-100123",
            ShopName: shopName,
            SupportContact: supportContact,
            Kind: WireKind(kind),
            AtRisk: kind == NoticeKind.AtRisk,
            Brief: brief,
            Survey: kind == NoticeKind.Survey ? SampleSurvey : null);
    }

    /// <summary>Five answer links as long as real ones (a signed token each), and a week to answer.</summary>
    public static readonly SurveyModel SampleSurvey = new(
        [.. Enumerable.Range(1, 5).Select(score => $"https://hooks.example/v1/survey/{new string((char)('a' + score), 43)}.{new string('m', 43)}")],
        7);

    public static NoticeKind KindOf(string templateKind) => templateKind switch
    {
        "further_delay" => NoticeKind.FurtherDelay,
        "at_risk" => NoticeKind.AtRisk,
        "action_required" => NoticeKind.ActionRequired,
        "back_on_track" => NoticeKind.BackOnTrack,
        "survey" => NoticeKind.Survey,
        _ => NoticeKind.Delay,
    };

    public static string WireKind(NoticeKind kind) => TemplateKey.KindOf(kind).ToUpperInvariant();

    private static bool TryParse(string source, [NotNullWhen(true)] out IFluidTemplate? fluid, [NotNullWhen(false)] out TemplateProblem? problem)
    {
        problem = null;
        try
        {
            fluid = Parser.Parse(source);
            return true;
        }
        catch (ParseException e)
        {
            fluid = null;
            var message = e.Message.Split('\n')[0].Trim();
            var at = AtPosition().Match(message);
            var (line, column) = e.Position is { } p ? (p.Line, p.Column)
                : at.Success ? (int.Parse(at.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture), int.Parse(at.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture))
                : (1, 1);
            problem = new TemplateProblem(line, column, "does not parse: " + AtPosition().Replace(message, ""));
            return false;
        }
    }

    /// <summary>The segments of the briefest SMS the template makes, when over the limit; else null.</summary>
    private static int? TooLong(CompiledTemplate template, int maxSmsSegments, string shopName)
    {
        var most = 0;
        foreach (var withNewDate in new[] { true, false })
        {
            var text = Render(template, Sample(template.Key, shopName, brief: true, withNewDate: withNewDate));
            most = Math.Max(most, SmsSegments.Count(text));
        }

        return most > Math.Max(1, maxSmsSegments) ? most : null;
    }

    /// <summary>The first place in the source where the SMS goes over the limit: the shortest beginning of the template that already renders too long.</summary>
    private static TemplateProblem? LocateOverflow(TemplateKey key, string source, int maxSmsSegments, string shopName)
    {
        int? Segments(int length)
        {
            if (!TryParse(source[..length], out var prefix, out _))
            {
                return null;
            }

            var partial = new CompiledTemplate(key, "", source[..length], prefix);
            return TooLong(partial, maxSmsSegments, shopName);
        }

        for (var end = 1; end <= source.Length; end++)
        {
            if (Segments(end) is { } segments)
            {
                var (line, column) = LineColumn(source, end - 1);
                return new TemplateProblem(line, column, Overflow(segments, maxSmsSegments));
            }
        }

        return null;
    }

    private static string Overflow(int segments, int max) =>
        $"the SMS takes {segments} segments with sample values even in its brief form; the limit is {max} (Proactive:Notices:MaxSmsSegments)";

    private static TemplateProblem Locate(string source, string pattern, string message)
    {
        foreach (Match tag in Tags().Matches(source))
        {
            var inside = Regex.Match(tag.Value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            if (inside.Success)
            {
                var (line, column) = LineColumn(source, tag.Index + inside.Index);
                return new TemplateProblem(line, column, message);
            }
        }

        return new TemplateProblem(1, 1, message);
    }

    private static (int Line, int Column) LineColumn(string source, int offset)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < offset && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }

    private static string OneLine(string text) => Spaces().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s*at \((\d+):(\d+)\)")]
    private static partial Regex AtPosition();

    /// <summary>Finds the first name, filter or tag a template may not use.</summary>
    private sealed class ModelWalk : AstVisitor
    {
        private static readonly HashSet<string> Roots = [.. TemplateModel.Paths.Select(p => p.Split('.')[0])];
        private static readonly HashSet<string> Scalars = [.. TemplateModel.Paths.Where(p => !p.Contains('.', StringComparison.Ordinal))];
        private static readonly HashSet<string> StringMembers = ["size", "first", "last"];
        private readonly HashSet<string> locals = new(StringComparer.Ordinal) { "forloop" };

        public (string Pattern, string Message)? Problem { get; private set; }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            locals.Add(assignStatement.Identifier);
            return base.VisitAssignStatement(assignStatement);
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            locals.Add(captureStatement.Identifier);
            return base.VisitCaptureStatement(captureStatement);
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            locals.Add(forStatement.Identifier);
            return base.VisitForStatement(forStatement);
        }

        protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
        {
            Refuse(@"\binclude\b", "include is not allowed: a template is one file");
            return includeStatement;
        }

        protected override Statement VisitRenderStatement(RenderStatement renderStatement)
        {
            Refuse(@"\brender\b", "render is not allowed: a template is one file");
            return renderStatement;
        }

        protected override Expression VisitFilterExpression(FilterExpression filterExpression)
        {
            if (!Options.Filters.TryGetValue(filterExpression.Name, out _))
            {
                Refuse(@"\|\s*" + Regex.Escape(filterExpression.Name) + @"\b", $"unknown filter '{filterExpression.Name}'");
            }

            return base.VisitFilterExpression(filterExpression);
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            var names = new List<string>();
            foreach (var segment in memberExpression.Segments)
            {
                if (segment is not IdentifierSegment identifier)
                {
                    break;
                }

                names.Add(identifier.Identifier);
            }

            if (names.Count == 0 || locals.Contains(names[0]))
            {
                return base.VisitMemberExpression(memberExpression);
            }

            var pattern = @"\b" + string.Join(@"\s*\.\s*", names.Select(Regex.Escape)) + @"\b";
            if (names.Count < memberExpression.Segments.Count)
            {
                Refuse(@"\b" + Regex.Escape(names[0]) + @"\b", $"'{names[0]}' cannot be indexed; use the names listed in the template model");
            }
            else if (!Roots.Contains(names[0]))
            {
                Refuse(pattern, $"unknown value '{string.Join('.', names)}'; a template can use {string.Join(", ", TemplateModel.Paths)}");
            }
            else
            {
                var depth = Scalars.Contains(names[0]) ? 1 : 2;
                var path = string.Join('.', names.Take(depth));
                if (names.Count < depth || !TemplateModel.Paths.Contains(path) || names.Skip(depth).Any(n => !StringMembers.Contains(n)))
                {
                    Refuse(pattern, $"unknown value '{string.Join('.', names)}'; a template can use {string.Join(", ", TemplateModel.Paths)}");
                }
            }

            return base.VisitMemberExpression(memberExpression);
        }

        private void Refuse(string pattern, string message) => Problem ??= (pattern, message);
    }
}
