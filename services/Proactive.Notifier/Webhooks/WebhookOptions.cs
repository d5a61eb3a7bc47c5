using System.Net;
using System.Security.Cryptography;
using Proactive.Notifier.Channels.Sms;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Webhooks;

/// <summary>
/// Configuration section "Proactive:Webhooks": where the providers reach us and how their requests
/// are verified. An endpoint whose verification is not configured answers 404: never open.
/// </summary>
public sealed class WebhookOptions : ICheckedOptions
{
    public const string Section = "Proactive:Webhooks";

    /// <summary>
    /// The public address of this service as the providers reach it (behind a proxy: the proxy's),
    /// e.g. https://proactive.example.com. Twilio signs the URL it calls, so the signature is checked
    /// against this address, never the request's own Host; SMS carry their status callback under it.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The largest webhook body read; a bigger one is refused with 413 before anything is parsed.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    public TwilioWebhookOptions Twilio { get; set; } = new();

    public SendGridWebhookOptions SendGrid { get; set; } = new();

    /// <summary>The secret Twilio signs with: the Auth Token given here, else the sending account's.</summary>
    public string? TwilioSecret(TwilioOptions sending) =>
        string.IsNullOrWhiteSpace(Twilio.AuthToken) ? sending.AuthToken is { Length: > 0 } token ? token : null : Twilio.AuthToken;

    /// <summary>Twilio's endpoints are open only with an address to check signatures against and a secret.</summary>
    public bool TwilioEnabled(TwilioOptions sending) => !string.IsNullOrWhiteSpace(PublicBaseUrl) && TwilioSecret(sending) is not null;

    public bool SendGridEnabled => !string.IsNullOrWhiteSpace(SendGrid.PublicKey);

    /// <summary>Where Twilio reports on the SMS of <paramref name="noticeId"/>; null without a public address.</summary>
    public Uri? StatusCallbackFor(string noticeId) =>
        string.IsNullOrWhiteSpace(PublicBaseUrl)
            ? null
            : new Uri($"{PublicBaseUrl.TrimEnd('/')}{WebhookEndpoints.TwilioStatus}?notice={Uri.EscapeDataString(noticeId)}");

    /// <summary>The URL the provider signed for a request that reached us at <paramref name="pathAndQuery"/>.</summary>
    public string PublicUrl(string pathAndQuery) => $"{PublicBaseUrl!.TrimEnd('/')}{pathAndQuery}";

    /// <summary>SendGrid's verification key as a P-256 public key (the base64 key its settings page shows, or PEM).</summary>
    public ECDsa SendGridKey()
    {
        var key = ECDsa.Create();
        var text = SendGrid.PublicKey!.Trim();
        if (text.StartsWith("-----", StringComparison.Ordinal))
        {
            key.ImportFromPem(text);
        }
        else
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text), out _);
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException($"a P-256 key is expected, not a {key.KeySize}-bit one");
        }

        return key;
    }

    public IEnumerable<string> Problems()
    {
        var problems = new OptionProblems(Section)
            .Require(string.IsNullOrWhiteSpace(PublicBaseUrl) || IsPublicBase(PublicBaseUrl), nameof(PublicBaseUrl),
                $"'{PublicBaseUrl}' must be an absolute https URL without query or fragment (http only on loopback), e.g. https://proactive.example.com")
            .AtLeast(MaxBodyBytes, 1024)
            .Positive(SendGrid.TimestampTolerance, "SendGrid:TimestampTolerance");
        return problems.Concat(SendGridKeyProblem());
    }

    private IEnumerable<string> SendGridKeyProblem()
    {
        if (!SendGridEnabled)
        {
            yield break;
        }

        string? problem = null;
        try
        {
            SendGridKey().Dispose();
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            problem = $"{Section}:SendGrid:PublicKey is not SendGrid's verification key (base64 or PEM, ECDSA P-256): {e.Message}";
        }

        if (problem is not null)
        {
            yield return problem;
        }
    }

    private static bool IsPublicBase(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))));
}

/// <summary>"Proactive:Webhooks:Twilio".</summary>
public sealed class TwilioWebhookOptions
{
    /// <summary>The account Auth Token Twilio signs webhooks with; defaults to Twilio:AuthToken.</summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// Error codes of an undelivered or failed SMS that mean the number will not get it: the same
    /// news then goes by email. 30003 unreachable handset, 30004 blocked, 30005 unknown number,
    /// 30006 landline or unreachable carrier, 30007 carrier filtering, 30008 unknown error.
    /// </summary>
    // The configuration binder adds to a list it finds, so the defaults apply only when none is given.
    public List<int>? FallbackCodes { get; set; }

    public IReadOnlyCollection<int> FallbackCodesOrDefault => FallbackCodes is { Count: > 0 } codes ? codes : [30003, 30004, 30005, 30006, 30007, 30008];

    /// <summary>The answer to HELP; empty for the built-in one in the customer's language.</summary>
    public string? HelpReply { get; set; }
}

/// <summary>"Proactive:Webhooks:SendGrid".</summary>
public sealed class SendGridWebhookOptions
{
    /// <summary>The Signed Event Webhook's verification key, as SendGrid's settings page shows it.</summary>
    public string? PublicKey { get; set; }

    /// <summary>How far a signed timestamp may be from now; older or newer requests are refused as replays.</summary>
    public TimeSpan TimestampTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
