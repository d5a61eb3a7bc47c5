using System.Buffers;

namespace Proactive.Notifier.Messages;

/// <summary>
/// How many SMS segments a text takes: GSM-7 when every character is in the GSM 03.38 alphabet
/// (160 per message, 153 per part), otherwise UCS-2 (70, or 67 per part) — Korean is always UCS-2.
/// </summary>
public static class SmsSegments
{
    private const string Gsm7Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Gsm7Extension = "^{}\\[~]|€\f";

    private static readonly SearchValues<char> Gsm7 = SearchValues.Create(Gsm7Basic + Gsm7Extension);
    private static readonly SearchValues<char> Extension = SearchValues.Create(Gsm7Extension);

    public static bool IsGsm7(string text) => !text.AsSpan().ContainsAnyExcept(Gsm7);

    public static int Count(string text)
    {
        if (IsGsm7(text))
        {
            var septets = text.Length;
            foreach (var c in text)
            {
                septets += Extension.Contains(c) ? 1 : 0;
            }

            return septets <= 160 ? 1 : (int)Math.Ceiling(septets / 153.0);
        }

        // UTF-16 code units: a character outside the BMP (an emoji) takes two.
        return text.Length <= 70 ? 1 : (int)Math.Ceiling(text.Length / 67.0);
    }

    /// <summary>
    /// The text if it fits <paramref name="maxSegments"/>, otherwise its longest beginning that fits
    /// with "..." after it (never splitting a surrogate pair).
    /// </summary>
    public static string Truncate(string text, int maxSegments)
    {
        if (Count(text) <= maxSegments)
        {
            return text;
        }

        const string Ellipsis = "...";
        for (var length = Math.Min(text.Length, 160 * maxSegments) - 1; length > 0; length--)
        {
            if (char.IsHighSurrogate(text[length - 1]))
            {
                continue;
            }

            var cut = text[..length].TrimEnd() + Ellipsis;
            if (Count(cut) <= maxSegments)
            {
                return cut;
            }
        }

        return Ellipsis;
    }
}
