using System.Buffers;
using System.Globalization;
using System.Text;

namespace Proactive.Notifier.Messages;

/// <summary>
/// Upstream free text made fit for a message. Whoever can post events must not be able to write
/// the customer a sentence or a link through it: the order id keeps only letters, digits, '-' and
/// '_' and is bounded, and a name that could carry a link or a number is not used at all.
/// </summary>
public static class SafeText
{
    /// <summary>The longest order reference a message shows.</summary>
    public const int MaxOrderReference = 20;

    /// <summary>The longest customer name a greeting uses; a longer one gets the plain greeting.</summary>
    public const int MaxName = 40;

    private const string Ellipsis = "...";

    private static readonly SearchValues<char> OrderCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    // Full stops that browsers and messaging apps read as a domain's dot.
    private static readonly SearchValues<char> Dots = SearchValues.Create(".\u3002\uFF0E\uFF61\u2024\uFE52");

    /// <summary>
    /// The order id as a message shows it: only [A-Za-z0-9-_] (dots, slashes, spaces and the rest
    /// removed, so it cannot read as a domain or a sentence), at most <paramref name="max"/>
    /// characters, a longer one as "..." and its last characters. Null when nothing is left.
    /// </summary>
    public static string? OrderReference(string? orderId, int max = MaxOrderReference)
    {
        if (string.IsNullOrEmpty(orderId))
        {
            return null;
        }

        var kept = new StringBuilder(Math.Min(orderId.Length, 256));
        foreach (var c in orderId)
        {
            if (OrderCharacters.Contains(c))
            {
                kept.Append(c);
            }
        }

        if (kept.Length == 0)
        {
            return null;
        }

        return kept.Length <= max
            ? kept.ToString()
            : Ellipsis + kept.ToString(kept.Length - (max - Ellipsis.Length), max - Ellipsis.Length);
    }

    /// <summary>
    /// The name to greet the customer with, or null for the plain greeting: a name that is too long,
    /// holds a control or format character (bidi overrides included), an invalid UTF-16 sequence (or
    /// its replacement character), a
    /// run of three digits (a phone number, a code), '@', '/', '\', ':' or a dot followed by a
    /// letter or digit (a link or a domain) is not used.
    /// </summary>
    public static string? GreetingName(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxName)
        {
            return null;
        }

        var digits = 0;
        var afterDot = false;
        var span = trimmed.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != OperationStatus.Done || rune == Rune.ReplacementChar)
            {
                return null;
            }

            span = span[consumed..];
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.Surrogate)
            {
                return null;
            }

            if (rune.Value is '@' or '/' or '\\' or ':' || (afterDot && Rune.IsLetterOrDigit(rune)))
            {
                return null;
            }

            digits = Rune.IsDigit(rune) ? digits + 1 : 0;
            if (digits >= 3)
            {
                return null;
            }

            afterDot = rune.IsBmp && Dots.Contains((char)rune.Value);
        }

        // The greeting may put a letter right after the name ("민지.님"): a final dot could join it.
        return afterDot ? null : trimmed;
    }
}
