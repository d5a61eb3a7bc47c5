using System.Security.Cryptography;
using System.Text;

namespace Proactive.Tests.Shared;

/// <summary>
/// Signs a webhook request the way Twilio does (X-Twilio-Signature: Base64 HMAC-SHA1, keyed by the
/// Auth Token, over the URL Twilio called followed by every form parameter, name then value, names
/// in ordinal order), written from Twilio's documentation rather than from its validator, so that
/// tests check one against the other.
/// </summary>
public static class TwilioSigning
{
    public static string Sign(string url, IEnumerable<KeyValuePair<string, string>> form, string authToken)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>
    /// POSTs <paramref name="form"/> to <paramref name="target"/> (where the service listens) as
    /// Twilio would, signed for <paramref name="publicUrl"/> (what Twilio was told to call).
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient http, string target, string publicUrl, IReadOnlyList<KeyValuePair<string, string>> form, string authToken, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Sign(publicUrl, form, authToken));
        return await http.SendAsync(request, ct);
    }
}
