namespace Proactive.Notifier.Receipts;

/// <summary>
/// An email address that gets no more email: it hard-bounced (or SendGrid dropped a mail to it as
/// a bounced or invalid address). <paramref name="Address"/> is lower case; <paramref name="Source"/>
/// says what reported it ("sendgrid bounce"), <paramref name="NoticeId"/> the notice it bounced, if known.
/// </summary>
public sealed record EmailSuppression(string Address, string Reason, string Source, string? NoticeId, DateTimeOffset SuppressedAt)
{
    /// <summary>The key an address is suppressed under: trimmed, lower case.</summary>
    public static string KeyOf(string address) => address.Trim().ToLowerInvariant();

    /// <summary>Why a notice to the address is not sent, the address masked.</summary>
    public string Why =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"the address {ServiceDefaults.Redact.Email(Address)} hard-bounced ({Source}, {SuppressedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z): no more email to it");
}
