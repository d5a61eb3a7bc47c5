namespace Proactive.Notifier.Messages.Templates;

/// <summary>
/// The languages templates ship in, and which one a customer's locale gets: the locale itself when
/// shipped ("pt-BR", "ja"), else its language's shipped variant ("pt-PT" → "pt-BR", "es-MX" → "es",
/// "ja-JP" → "ja", "ko-KR" → "ko"), else English.
/// </summary>
public static class TemplateLanguages
{
    public static readonly IReadOnlyList<string> Supported = ["ko", "en", "ja", "pt-BR", "es"];

    /// <summary>The languages to try for <paramref name="locale"/>, best first, always ending in "en".</summary>
    public static IReadOnlyList<string> FallbackFor(string? locale)
    {
        var chain = new List<string>(3);
        if (!string.IsNullOrWhiteSpace(locale))
        {
            var normalized = locale.Trim().Replace('_', '-');
            if (Supported.FirstOrDefault(s => string.Equals(s, normalized, StringComparison.OrdinalIgnoreCase)) is { } exact)
            {
                chain.Add(exact);
            }

            var dash = normalized.IndexOf('-', StringComparison.Ordinal);
            var language = dash < 0 ? normalized : normalized[..dash];
            if (Supported.FirstOrDefault(s => s.Equals(language, StringComparison.OrdinalIgnoreCase)
                || s.StartsWith(language + "-", StringComparison.OrdinalIgnoreCase)) is { } variant && !chain.Contains(variant))
            {
                chain.Add(variant);
            }
        }

        if (!chain.Contains("en"))
        {
            chain.Add("en");
        }

        return chain;
    }

    /// <summary>The shipped language a customer with <paramref name="locale"/> reads.</summary>
    public static string For(string? locale) => FallbackFor(locale)[0];
}
