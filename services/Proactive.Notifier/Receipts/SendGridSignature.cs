using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Webhooks;

namespace Proactive.Notifier.Receipts;

/// <summary>
/// SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64 DER) over the UTF-8
/// timestamp followed by the raw body exactly as received, with the verification key of
/// <see cref="SendGridWebhookOptions.PublicKey"/> (read once). The signed timestamp must be within
/// <see cref="SendGridWebhookOptions.TimestampTolerance"/> of now, either way, so a captured
/// request cannot be replayed later.
/// </summary>
public sealed class SendGridSignature(IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    private readonly Lazy<ECDsa> key = new(() => options.Value.SendGridKey());
    private readonly Lock verifying = new();

    /// <summary>Null when the request is SendGrid's, else why not (for the log, never the body).</summary>
    public string? Check(IHeaderDictionary headers, byte[] body)
    {
        var signature = headers[SignatureHeader];
        var timestamp = headers[TimestampHeader];
        if ((Single(signature, SignatureHeader) ?? Single(timestamp, TimestampHeader)) is { } missing)
        {
            return missing;
        }

        if (CheckTimestamp(timestamp[0]!, time.GetUtcNow(), options.Value.SendGrid.TimestampTolerance) is { } stale)
        {
            return stale;
        }

        // ECDsa instances are not documented as safe for concurrent use; a verify takes microseconds.
        lock (verifying)
        {
            return Verifies(key.Value, timestamp[0]!, body, signature[0]!) ? null : "signature mismatch";
        }
    }

    /// <summary>
    /// Whether <paramref name="signature"/> (base64 DER) is <paramref name="key"/>'s over
    /// UTF-8(<paramref name="timestamp"/>) ++ <paramref name="body"/>. Garbage is false, never an exception.
    /// </summary>
    public static bool Verifies(ECDsa key, string timestamp, ReadOnlySpan<byte> body, string signature)
    {
        byte[] der;
        try
        {
            der = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, signed);
        body.CopyTo(signed.AsSpan(written));
        return key.VerifyData(signed, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Null when <paramref name="timestamp"/> is unix seconds within <paramref name="tolerance"/> of <paramref name="now"/>, else why not.</summary>
    public static string? CheckTimestamp(string timestamp, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return $"{TimestampHeader} is not unix seconds";
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age > tolerance ? Invariant($"stale timestamp: signed {age.TotalSeconds:0} s ago, tolerance {tolerance.TotalSeconds:0} s")
            : -age > tolerance ? Invariant($"timestamp from the future: {-age.TotalSeconds:0} s ahead, tolerance {tolerance.TotalSeconds:0} s")
            : null;
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values, string header) =>
        values.Count > 1 ? $"more than one {header}"
        : values.Count == 0 || string.IsNullOrEmpty(values[0]) ? $"no {header}"
        : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
