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

    public static bool IsGsm7(string text) => text.All(c => Gsm7Basic.Contains(c, StringComparison.Ordinal) || Gsm7Extension.Contains(c, StringComparison.Ordinal));

    public static int Count(string text)
    {
        if (IsGsm7(text))
        {
            var septets = text.Sum(c => Gsm7Extension.Contains(c, StringComparison.Ordinal) ? 2 : 1);
            return septets <= 160 ? 1 : (int)Math.Ceiling(septets / 153.0);
        }

        // UTF-16 code units: a character outside the BMP (an emoji) takes two.
        return text.Length <= 70 ? 1 : (int)Math.Ceiling(text.Length / 67.0);
    }
}
