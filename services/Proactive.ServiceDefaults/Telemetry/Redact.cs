using System.Text.RegularExpressions;

namespace Proactive.ServiceDefaults;

/// <summary>
/// Masks customer contact details before they reach a log line, a span or an API answer that
/// does not need them in clear.
/// </summary>
public static partial class Redact
{
    /// <summary>
    /// Free text from elsewhere (a provider's error message) with every email address and
    /// phone-like number replaced: providers quote the recipient back.
    /// </summary>
    public static string Text(string? text) =>
        string.IsNullOrEmpty(text) ? "" : PhoneLike().Replace(EmailLike().Replace(text, "[email]"), "[number]");

    [GeneratedRegex(@"[^\s@<>()\[\]""',;:]+@[^\s@<>()\[\]""',;:]+")]
    private static partial Regex EmailLike();

    [GeneratedRegex(@"\+?[0-9][0-9 ()\-.]{5,}[0-9]")]
    private static partial Regex PhoneLike();

    /// <summary>"+821012345678" becomes "+82******5678".</summary>
    public static string Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return "";
        }

        if (phone.Length <= 7)
        {
            return new string('*', phone.Length);
        }

        return string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4));
    }

    /// <summary>"minji@example.com" becomes "m***@example.com".</summary>
    public static string Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return "";
        }

        var at = email.LastIndexOf('@');
        if (at <= 0)
        {
            return new string('*', email.Length);
        }

        return string.Concat(email.AsSpan(0, 1), "***", email.AsSpan(at));
    }
}
