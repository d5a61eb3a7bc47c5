using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>A template as stored through the API: version n of its key, who stored it and when.</summary>
public sealed record StoredTemplate(TemplateKey Key, long Version, string Source, string CreatedBy, DateTimeOffset CreatedAt, string? Note);

/// <summary>
/// Every template in use, by precedence: a version stored through the API, else the override
/// folder's file, else the shipped default; for a customer's locale, the first language of
/// <see cref="TemplateLanguages.FallbackFor"/> that has one (the shipped defaults cover all five).
/// Everything here has passed <see cref="TemplateCompiler"/>; a bad file or version never
/// replaces a good one. The shipped defaults are not held to the SMS segment limit: the renderer
/// shortens their SMS step by step (<see cref="TemplateModel.Brief"/>) to any limit.
/// </summary>
public sealed partial class TemplateCatalog
{
    private const string FileExtension = ".liquid";

    private readonly IReadOnlyDictionary<(bool Survey, string Channel, string Language), CompiledTemplate> defaults;
    private readonly ILogger logger;
    private ImmutableDictionary<TemplateKey, CompiledTemplate> files = ImmutableDictionary<TemplateKey, CompiledTemplate>.Empty;
    private ImmutableDictionary<TemplateKey, CompiledTemplate> api = ImmutableDictionary<TemplateKey, CompiledTemplate>.Empty;

    public TemplateCatalog(string? folder, string shopName, int maxSmsSegments, string? supportContact, ILogger? logger = null)
    {
        Folder = string.IsNullOrWhiteSpace(folder) ? null : folder;
        ShopName = shopName;
        MaxSmsSegments = maxSmsSegments;
        SupportContact = string.IsNullOrWhiteSpace(supportContact) ? null : supportContact;
        this.logger = logger ?? NullLogger.Instance;
        defaults = ShippedDefaults(shopName);
        if (Folder is not null)
        {
            var (good, bad) = ReadFolder(Folder);
            if (bad.Count > 0)
            {
                throw new InvalidOperationException($"{TemplatesOptions.Section}:Path: {string.Join("; ", bad)}");
            }

            files = good.ToImmutableDictionary();
        }
    }

    /// <summary>The shipped defaults alone, unchecked for length: what a renderer without configuration uses.</summary>
    public static TemplateCatalog Shipped { get; } = new(null, "Proactive", int.MaxValue, null);

    public string? Folder { get; }

    public string ShopName { get; }

    public int MaxSmsSegments { get; }

    public string? SupportContact { get; }

    /// <summary>The template for a customer's <paramref name="locale"/> (fallback applied).</summary>
    public CompiledTemplate For(NoticeKind kind, string channel, string? locale) =>
        Resolve(new TemplateKey(TemplateKey.KindOf(kind), channel, TemplateLanguages.For(locale)));

    /// <summary>The template in use for exactly this key: API version, else file, else shipped default.</summary>
    public CompiledTemplate Resolve(TemplateKey key) =>
        api.TryGetValue(key, out var stored) ? stored
        : files.TryGetValue(key, out var file) ? file
        : Default(key);

    public CompiledTemplate Default(TemplateKey key) => defaults[(key.IsSurvey, key.Channel, key.Language)] with { Key = key };

    public bool TryCompile(TemplateKey key, string source, string version, out CompiledTemplate? template, out TemplateProblem? problem) =>
        TemplateCompiler.TryCompile(key, source, version, MaxSmsSegments, ShopName, out template, out problem);

    /// <summary>
    /// Reads the folder again: a changed file that passes replaces its last version, a removed file
    /// goes back to the default, and a bad one is logged and its last good version kept.
    /// </summary>
    public void RefreshFolder()
    {
        if (Folder is null)
        {
            return;
        }

        var (good, bad) = ReadFolder(Folder);
        var next = good.ToImmutableDictionary();
        foreach (var problem in bad)
        {
            LogBadFile(logger, problem.File, problem.Problem.ToString());
            if (problem.Key is { } key && files.TryGetValue(key, out var lastGood))
            {
                next = next.SetItem(key, lastGood);
            }
        }

        files = next;
    }

    /// <summary>Uses these API versions (the newest per key), each checked again; one that fails is logged and left out.</summary>
    public void UseStored(IEnumerable<StoredTemplate> newest)
    {
        var next = ImmutableDictionary.CreateBuilder<TemplateKey, CompiledTemplate>();
        foreach (var stored in newest)
        {
            if (TryCompile(stored.Key, stored.Source, $"api-{stored.Version}", out var compiled, out var problem))
            {
                next[stored.Key] = compiled!;
            }
            else
            {
                LogBadStored(logger, stored.Key.ToString(), stored.Version, problem!.ToString());
            }
        }

        api = next.ToImmutable();
    }

    /// <summary>Uses one newly stored API version (already checked).</summary>
    public void UseStored(CompiledTemplate template) => api = api.SetItem(template.Key, template);

    /// <summary>The folder's templates, and each file refused with why ("delay/sms/pt-BR.liquid: line 2, column 5: ...").</summary>
    public (Dictionary<TemplateKey, CompiledTemplate> Good, List<FileProblem> Bad) ReadFolder(string folder)
    {
        var good = new Dictionary<TemplateKey, CompiledTemplate>();
        var bad = new List<FileProblem>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/');
            var parts = relative.EndsWith(FileExtension, StringComparison.Ordinal) ? relative[..^FileExtension.Length].Split('/') : [];
            if (parts.Length != 3)
            {
                bad.Add(new FileProblem(relative, null, new TemplateProblem(1, 1, "not a template file: expected {kind}/{channel}/{language}.liquid, e.g. delay/sms/pt-BR.liquid")));
                continue;
            }

            if (!TemplateKey.TryParse(parts[0], parts[1], parts[2], out var key, out var error))
            {
                bad.Add(new FileProblem(relative, null, new TemplateProblem(1, 1, $"not a template file: {error}")));
                continue;
            }

            var source = File.ReadAllText(path);
            if (TryCompile(key, source, $"file:{Hash(source)}", out var compiled, out var problem))
            {
                good[key] = compiled!;
            }
            else
            {
                bad.Add(new FileProblem(relative, key, problem!));
            }
        }

        return (good, bad);
    }

    public static string Hash(string source) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..8];

    /// <summary>The notices' defaults (<c>{language}/{channel}.liquid</c>, branching on notice.kind) and the survey's (<c>{language}/survey.{channel}.liquid</c>).</summary>
    private static Dictionary<(bool, string, string), CompiledTemplate> ShippedDefaults(string shopName)
    {
        var assembly = typeof(TemplateCatalog).Assembly;
        var all = new Dictionary<(bool, string, string), CompiledTemplate>();
        foreach (var (survey, language, channel) in from survey in new[] { false, true } from language in TemplateLanguages.Supported from channel in TemplateKey.Channels select (survey, language, channel))
        {
            var name = $"templates/{language}/{(survey ? "survey." : "")}{channel}{FileExtension}";
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"shipped template {name} is missing");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var source = reader.ReadToEnd();
            var key = new TemplateKey(survey ? "survey" : "delay", channel, language);
            if (!TemplateCompiler.TryCompile(key, source, $"default:{Hash(source)}", int.MaxValue, shopName, out var compiled, out var problem))
            {
                throw new InvalidOperationException($"shipped template {language}/{channel}: {problem}");
            }

            all[(survey, channel, language)] = compiled;
        }

        return all;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Template file {File} refused, its last good version stays in use: {Problem}")]
    private static partial void LogBadFile(ILogger logger, string file, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored template {Key} version {Version} refused, not used: {Problem}")]
    private static partial void LogBadStored(ILogger logger, string key, long version, string problem);
}

/// <summary>An override file refused: its path in the folder, its key when the name is one, and why.</summary>
public sealed record FileProblem(string File, TemplateKey? Key, TemplateProblem Problem)
{
    public override string ToString() => $"{File}: {Problem}";
}
