using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels.Sms;
using Twilio.Security;

namespace Proactive.Notifier.Webhooks;

/// <summary>
/// A Twilio webhook request (status callback or inbound message), read and verified before
/// anything in it is used: the form as Twilio sent it, checked with Twilio's own
/// <see cref="RequestValidator"/> against the public URL Twilio called
/// (<see cref="WebhookOptions.PublicBaseUrl"/> + path + query, never the request's Host).
/// </summary>
public sealed class TwilioWebhook(WebhookGate gate, IOptions<WebhookOptions> options, IOptions<TwilioOptions> sending)
{
    public const string SignatureHeader = "X-Twilio-Signature";

    /// <summary>The verified form parameters, or the refusal to answer with (404, 413, 415, 403 or 400).</summary>
    public async Task<(IReadOnlyDictionary<string, string>? Form, IResult? Refusal)> ReadAsync(HttpContext http, WebhookCall call)
    {
        var webhooks = options.Value;
        var (body, refusal) = await gate.ReadAsync(http, call, webhooks.TwilioEnabled(sending.Value), "application/x-www-form-urlencoded");
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var signature = http.Request.Headers[SignatureHeader];
        if (signature.Count != 1 || string.IsNullOrEmpty(signature[0]))
        {
            return (null, gate.Refuse(call, signature.Count > 1 ? $"more than one {SignatureHeader}" : $"no {SignatureHeader}"));
        }

        Dictionary<string, List<string>> parsed;
        try
        {
            parsed = ParseForm(body!);
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            return (null, gate.Refuse(call, "the form cannot be read"));
        }

        // Twilio never repeats a parameter; a repeated one cannot be checked the way it was signed.
        if (parsed.FirstOrDefault(p => p.Value.Count > 1) is { Key: { } repeated })
        {
            return (null, gate.Refuse(call, $"repeated form parameter {Safe(repeated)}"));
        }

        var form = parsed.ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);
        var url = webhooks.PublicUrl(http.Request.Path.ToUriComponent() + http.Request.QueryString.ToUriComponent());
        var algorithm = RequestValidator.GetSignatureAlgorithm(http.Request.Headers[RequestValidator.SignatureSettingsHeader].ToString());
        if (!new RequestValidator(webhooks.TwilioSecret(sending.Value)).Validate(url, form, signature[0], algorithm))
        {
            return (null, gate.Refuse(call, "signature mismatch"));
        }

        if (form.TryGetValue("AccountSid", out var account) && sending.Value.AccountSid is { Length: > 0 } ours && account != ours)
        {
            return (null, gate.Refuse(call, "signed, but for another account"));
        }

        return (form, null);
    }

    /// <summary>The form's keys as sent (case kept, repeats kept), values decoded as UTF-8 strictly.</summary>
    private static Dictionary<string, List<string>> ParseForm(byte[] body)
    {
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        var parsed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var reader = new FormReader(text);
        while (reader.ReadNextPair() is { } pair)
        {
            if (!parsed.TryGetValue(pair.Key, out var values))
            {
                parsed[pair.Key] = values = [];
            }

            values.Add(pair.Value);
        }

        return parsed;
    }

    /// <summary>A parameter name for a log line: short, and only the characters names are made of.</summary>
    private static string Safe(string name) => new(name.Take(40).Where(char.IsAsciiLetterOrDigit).ToArray());
}
