using System.Text;
using System.Text.RegularExpressions;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Voice;

/// <summary>How a customer's text is prepared: masked for storage, then folded for matching. Pure functions.</summary>
public static partial class VoiceText
{
    /// <summary>
    /// The text as stored for analysis: NFKC (full-width digits become digits, so they are masked
    /// too), whitespace collapsed, every email and phone-like number masked by <see cref="Redact.Text"/>
    /// ("[email]", "[number]"; it also masks other runs of seven or more digits, such as order numbers).
    /// </summary>
    public static string Masked(string? text) =>
        string.IsNullOrEmpty(text) ? "" : Collapse(Redact.Text(Nfkc(text)));

    /// <summary>
    /// The masked text as the lexicon reads it: lower case, curly apostrophes straight, "n't" as
    /// " not", the mask placeholders removed (so "[email]" is not read as the word email).
    /// </summary>
    public static string Folded(string masked)
    {
        var lower = masked.ToLowerInvariant().Replace('\u2019', '\'').Replace('\u2018', '\'');
        var words = NotContraction().Replace(lower, " not");
        return Collapse(words.Replace("[email]", " ", StringComparison.Ordinal).Replace("[number]", " ", StringComparison.Ordinal));
    }

    /// <summary>NFKC, after replacing unpaired surrogates (which Normalize refuses) with U+FFFD.</summary>
    public static string Nfkc(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
            }
            else
            {
                clean.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return clean.ToString().Normalize(NormalizationForm.FormKC);
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"n't(?![\p{L}\p{N}])")]
    private static partial Regex NotContraction();
}
