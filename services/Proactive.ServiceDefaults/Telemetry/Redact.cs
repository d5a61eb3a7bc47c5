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

    /// <summary>
    /// Any text, masked for a log line or a span: every E.164 phone number (the contract's phone
    /// format) and every email address. Stricter than <see cref="Text"/>, so order ids and dates
    /// stay readable.
    /// </summary>
    public static string ContactDetails(string? text) =>
        string.IsNullOrEmpty(text) ? "" : E164().Replace(EmailLike().Replace(text, "[email]"), "[phone]");

    [GeneratedRegex(@"\+[1-9][0-9]{6,14}")]
    private static partial Regex E164();

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
