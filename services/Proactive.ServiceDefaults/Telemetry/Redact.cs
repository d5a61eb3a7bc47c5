namespace Proactive.ServiceDefaults;

/// <summary>
/// Masks customer contact details before they reach a log line, a span or an API answer that
/// does not need them in clear.
/// </summary>
public static class Redact
{
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
