using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Proactive.Notifier.Grpc;

/// <summary>
/// A keyset page token: where the previous page ended (a time and the id that breaks ties), opaque
/// to callers. Read back only when it is one this API could have given.
/// </summary>
public static class PageToken
{
    public static string For(DateTimeOffset at, string id) =>
        WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}|{id}"));

    /// <summary>
    /// The position in <paramref name="token"/>; null for an empty token (the first page) and for
    /// one this API did not give, which also adds "page_token: …" to <paramref name="errors"/>.
    /// </summary>
    /// <param name="maxIdChars">The longest id of ours: PostgreSQL refuses NUL and we compare nothing longer.</param>
    public static (DateTimeOffset At, string Id)? Read(string token, int maxIdChars, List<string> errors)
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() && bar < text.Length - 1
                && IsId(text.AsSpan(bar + 1), maxIdChars))
            {
                return (DateTimeOffset.FromUnixTimeMilliseconds(ms), text[(bar + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        errors.Add("page_token: not a token this API gave");
        return null;
    }

    private static bool IsId(ReadOnlySpan<char> id, int maxChars) => id.Length <= maxChars && !id.ContainsAnyInRange('\0', '\u001f') && !id.Contains('\u007f');
}
