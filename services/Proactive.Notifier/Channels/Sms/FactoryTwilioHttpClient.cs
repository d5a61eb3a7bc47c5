using System.Net.Http.Headers;
using System.Text;
using Twilio.Constant;
using TwilioRequest = Twilio.Http.Request;
using TwilioResponse = Twilio.Http.Response;

namespace Proactive.Notifier.Channels.Sms;

/// <summary>
/// The Twilio SDK's HTTP seam over our IHttpClientFactory client (its spans, its timeout): each
/// request goes to <paramref name="baseUrl"/> (Twilio:BaseUrl) instead of the https://api.twilio.com
/// the SDK builds in, and is cancelled by <paramref name="cancellationToken"/> — the SDK has no
/// token of its own. One instance per send, so <see cref="Twilio.Http.HttpClient.LastResponse"/>
/// (the Retry-After, the HTTP status of an error Twilio did not explain in JSON) is that send's.
/// </summary>
internal sealed class FactoryTwilioHttpClient(HttpClient http, string baseUrl, CancellationToken cancellationToken) : Twilio.Http.HttpClient
{
    public override TwilioResponse MakeRequest(TwilioRequest request) =>
        throw new NotSupportedException("Proactive calls Twilio asynchronously only.");

    public override async Task<TwilioResponse> MakeRequestAsync(TwilioRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method.ToString()), Rebase(request.ConstructUrl(), baseUrl));
        if (request.Username is not null && request.Password is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Authentication(request.Username, request.Password));
        }

        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in request.HeaderParams)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (!Equals(request.Method, Twilio.Http.HttpMethod.Get))
        {
            message.Content = Equals(request.ContentType, EnumConstants.ContentTypeEnum.JSON)
                ? new StringContent(request.Body, Encoding.UTF8, "application/json")
                : new FormUrlEncodedContent(request.PostParams);
        }

        LastRequest = request;
        LastResponse = null;
        using var response = await http.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return LastResponse = new TwilioResponse(response.StatusCode, body, response.Headers);
    }

    /// <summary>The SDK's URL with its scheme, host and port replaced by <paramref name="baseUrl"/> (whose path prefixes the SDK's).</summary>
    internal static Uri Rebase(Uri sdkUrl, string baseUrl) => new($"{baseUrl.TrimEnd('/')}{sdkUrl.PathAndQuery}");
}
