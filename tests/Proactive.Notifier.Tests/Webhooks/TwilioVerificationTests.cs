using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels.Sms;
using Proactive.Notifier.Webhooks;
using Proactive.Tests.Shared;
using Twilio.Security;

namespace Proactive.Notifier.Tests.Webhooks;

/// <summary>
/// X-Twilio-Signature: the reference vectors (twilio-csharp's own RequestValidator tests) against
/// Twilio's validator, against our test signer, and through <see cref="TwilioWebhook"/> over real
/// HTTP with a public address that reproduces the vectors' URL; and every alteration refused.
/// </summary>
public class TwilioVerificationTests
{
    private const string Token = "12345";
    private const string Path = "/myapp.php";
    private const string Query = "?foo=1&bar=2";

    // Deliberately unsorted, as in Twilio's tests.
    private static readonly KeyValuePair<string, string>[] Params =
    [
        new("CallSid", "CA1234567890ABCDE"),
        new("From", "+14158675309"),
        new("Digits", "1234"),
        new("To", "+18005551212"),
        new("Caller", "+14158675309"),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Dict(IEnumerable<KeyValuePair<string, string>> form) => form.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>(URL Twilio called, the signature it sent): reference §4.2.</summary>
    public static TheoryData<string, string> Vectors => new()
    {
        { "https://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=" },
        { "https://mycompany.com/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w=" },
        { "https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=" },
        { "https://mycompany.com:1234/myapp.php?foo=1&bar=2", "CYn1h0gLBdNxDGkKJg6hYohgeD8=" },
        { "http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4=" },
        { "http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=" },
        { "https://MyCompany.com/myapp.php?foo=1&bar=2", "g9IN/x4Cft2g517EjYvEvM/W7LU=" },
        { "https://MyCompany.com:1234/myapp.php?foo=1&bar=2", "PCqOZm8cnu/L6+u5i5fuEd+Iac4=" },
        { "http://MyCompany.com/myapp.php?foo=1&bar=2", "XY7AlKOKL6im4yWyX84gldUrtis=" },
        { "http://username:password@MyCompany.com/myapp.php?foo=1&bar=2", "PJ08CxXr7KLPjEQCTc8LkUSMwSM=" },
        { "HTTP://username:password@MyCompany.com/myapp.php?foo=1&bar=2", "hy/l8pca+LFms4cvRdv8uiP6NGc=" },
        { "http://Username:Password@MyCompany.com/myapp.php?foo=1&bar=2", "SkTSKyDJH9kUlhItI0slbgZ1UsI=" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TwiliosValidatorAcceptsTheReferenceVectors(string url, string signature) =>
        new RequestValidator(Token).Validate(url, Dict(Params), signature).ShouldBeTrue();

    [Fact]
    public void OurTestSignerAgreesWithTheVectorsWhereTheySignTheURLAsCalled()
    {
        TwilioSigning.Sign("https://mycompany.com/myapp.php?foo=1&bar=2", Params, Token).ShouldBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        TwilioSigning.Sign("https://mycompany.com:443/myapp.php?foo=1&bar=2", Params, Token).ShouldBe("kvajT1Ptam85bY51eRf/AJRuM3w=");
        TwilioSigning.Sign("https://mycompany.com:1234/myapp.php?foo=1&bar=2", Params, Token).ShouldBe("CYn1h0gLBdNxDGkKJg6hYohgeD8=");
        TwilioSigning.Sign("https://MyCompany.com/myapp.php?foo=1&bar=2", Params, Token).ShouldBe("g9IN/x4Cft2g517EjYvEvM/W7LU=");

        // The status-callback vector of the reference notes.
        var status = new Dictionary<string, string>
        {
            ["MessageSid"] = "SMyyy",
            ["SmsSid"] = "SMxxx",
            ["AccountSid"] = "ACzzz",
            ["From"] = "+13364432222",
            ["To"] = "+17031111",
            ["MessageStatus"] = "delivered",
            ["SmsStatus"] = "delivered",
            ["ApiVersion"] = "2010-04-01",
            ["RawDlrDoneDate"] = "2303072155",
        };
        TwilioSigning.Sign("https://example.test/twilio/status", status, Token).ShouldBe("zmqGm70H3G9e4cvs9UzE/u1eUV0=");
        new RequestValidator(Token).Validate("https://example.test/twilio/status", status, "zmqGm70H3G9e4cvs9UzE/u1eUV0=").ShouldBeTrue();
    }

    [Fact]
    public void OurTestSignerAgreesWithTwiliosValidatorOnAnyFormAndUrl()
    {
        var text = Gen.String[Gen.Char.AlphaNumeric, 0, 12].Select(s => s + "+ &=%é한");
        var form = Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 10], text)[0, 8];
        Gen.Select(form, Gen.String[Gen.Char.AlphaNumeric, 1, 20]).Sample((f, path) =>
        {
            var url = $"https://hooks.example/{path}?q={path}";
            new RequestValidator("token").Validate(url, f, TwilioSigning.Sign(url, f, "token")).ShouldBeTrue();
        });
    }

    [Fact]
    public void TheHmacSha256SchemeAndItsSettingsHeader()
    {
        const string sha256 = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=";
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        var algorithm = RequestValidator.GetSignatureAlgorithm("key=webhooks_sharedkey_x,algorithm=HMAC_SHA256");

        algorithm.ShouldBe(RequestValidator.HmacSha256);
        new RequestValidator(Token).Validate(url, Dict(Params), sha256, algorithm).ShouldBeTrue();
        new RequestValidator(Token).Validate(url, Dict(Params), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", algorithm).ShouldBeFalse();
        new RequestValidator(Token).Validate(url, Dict(Params), sha256).ShouldBeFalse();
    }

    /// <summary>Every alteration of the base vector: (what, URL path and query, form, signature, extra headers).</summary>
    public static IEnumerable<(string What, string Target, List<KeyValuePair<string, string>> Form, string? Signature, (string, string)[] Headers)> Mutations()
    {
        const string good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        var target = Path + Query;
        for (var i = 0; i < Params.Length; i++)
        {
            var changed = Params.ToList();
            changed[i] = new(changed[i].Key, changed[i].Value[..^1] + (changed[i].Value[^1] == '1' ? '2' : '1'));
            yield return ($"{Params[i].Key} changed", target, changed, good, []);
            yield return ($"{Params[i].Key} removed", target, Params.Where((_, j) => j != i).ToList(), good, []);
            var renamed = Params.ToList();
            renamed[i] = new(renamed[i].Key.ToUpperInvariant(), renamed[i].Value);
            yield return ($"{Params[i].Key} renamed", target, renamed, good, []);
            yield return ($"{Params[i].Key} given twice", target, [.. Params, Params[i]], good, []);
        }

        yield return ("a parameter added", target, [.. Params, new("Extra", "")], good, []);
        yield return ("path with a trailing slash", Path + "/" + Query, Params.ToList(), good, []);
        yield return ("path in other case", "/MyApp.php" + Query, Params.ToList(), good, []);
        yield return ("query changed", Path + "?foo=1&bar=3", Params.ToList(), good, []);
        yield return ("query added", Path + Query + "&baz=1", Params.ToList(), good, []);
        yield return ("query removed", Path, Params.ToList(), good, []);
        yield return ("query reordered", Path + "?bar=2&foo=1", Params.ToList(), good, []);
        var bytes = Convert.FromBase64String(good);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            yield return ($"signature bit {bit} flipped", target, Params.ToList(), Convert.ToBase64String(flipped), []);
        }

        yield return ("no signature", target, Params.ToList(), null, []);
        yield return ("empty signature", target, Params.ToList(), "", []);
        yield return ("signature twice", target, Params.ToList(), good, [("X-Twilio-Signature", good)]);
        yield return ("signature and another", target, Params.ToList(), good, [("X-Twilio-Signature", "kvajT1Ptam85bY51eRf/AJRuM3w=")]);
        yield return ("signature in lower case", target, Params.ToList(), good.ToLowerInvariant(), []);
        yield return ("signed with another token", target, Params.ToList(), TwilioSigning.Sign("https://mycompany.com" + target, Params, "54321"), []);
        yield return ("SHA-1 signature, settings say HMAC_SHA256", target, Params.ToList(), good, [("X-Twilio-Webhooks-Signature-Settings", "key=k,algorithm=HMAC_SHA256")]);
        yield return ("settings name an unknown algorithm", target, Params.ToList(), good, [("X-Twilio-Webhooks-Signature-Settings", "algorithm=none")]);
    }

    public static TheoryData<string> MutationNames => new(Mutations().Select(m => m.What));

    [Theory]
    [MemberData(nameof(MutationNames))]
    public async Task EveryAlterationIsRefusedWith403AndReachesNothing(string what)
    {
        var mutation = Mutations().Single(m => m.What == what);
        await using var server = await VerifyingServer.StartAsync("https://mycompany.com");

        using var response = await server.PostAsync(mutation.Target, mutation.Form, mutation.Signature, mutation.Headers);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, what);
        server.Verified.ShouldBeEmpty();

        // The untouched request on the same server is accepted, so the refusal was the alteration's.
        using var good = await server.PostAsync(Path + Query, Params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        good.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("https://mycompany.com", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData("https://mycompany.com/", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData("https://mycompany.com", "kvajT1Ptam85bY51eRf/AJRuM3w=")]
    [InlineData("https://mycompany.com:1234", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData("https://mycompany.com:1234", "CYn1h0gLBdNxDGkKJg6hYohgeD8=")]
    [InlineData("http://mycompany.com", "0ZXoZLH/DfblKGATFgpif+LLRf4=")]
    [InlineData("https://MyCompany.com", "g9IN/x4Cft2g517EjYvEvM/W7LU=")]
    [InlineData("http://username:password@MyCompany.com", "PJ08CxXr7KLPjEQCTc8LkUSMwSM=")]
    public async Task TheVectorsVerifyThroughOurEndpointWithThePublicAddressTwilioCalled(string publicBaseUrl, string signature)
    {
        await using var server = await VerifyingServer.StartAsync(publicBaseUrl);

        using var response = await server.PostAsync(Path + Query, Params, signature);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Dict(server.Verified.ShouldHaveSingleItem()).ShouldBe(Dict(Params), ignoreOrder: true);
    }

    [Fact]
    public async Task TheHmacSha256VectorVerifiesThroughOurEndpointWithItsSettingsHeader()
    {
        await using var server = await VerifyingServer.StartAsync("https://mycompany.com");

        using var response = await server.PostAsync(
            Path + Query, Params, "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=", [("X-Twilio-Webhooks-Signature-Settings", "key=webhooks_sharedkey_x,algorithm=HMAC_SHA256")]);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>The header is the sender's to write: only a real HMAC_SHA256 setting changes the check; nothing in it breaks it (a 500).</summary>
    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("algorithm")]
    [InlineData("algorithm=")]
    [InlineData("=,=,,")]
    [InlineData("key=x,algorithm=hmac_sha1")]
    [InlineData("key=x,algorithm=HMAC_SHA1")]
    public async Task AnOddSettingsHeaderNeverBreaksVerification(string settings)
    {
        await using var server = await VerifyingServer.StartAsync("https://mycompany.com");

        using var response = await server.PostAsync(Path + Query, Params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", [("X-Twilio-Webhooks-Signature-Settings", settings)]);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BehindAProxyOnlyThePublicAddressCounts()
    {
        await using var server = await VerifyingServer.StartAsync("https://mycompany.com");
        (string, string)[] spoofed = [("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "http"), ("Forwarded", "host=evil.example;proto=http")];

        using (var forPublic = await server.PostAsync(Path + Query, Params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", spoofed, host: "internal:8080"))
        {
            forPublic.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        foreach (var url in new[] { "http://evil.example", "https://evil.example", "http://internal:8080", server.BaseUrl })
        {
            using var forSpoofed = await server.PostAsync(Path + Query, Params, TwilioSigning.Sign(url + Path + Query, Params, Token), spoofed, host: "evil.example");
            forSpoofed.StatusCode.ShouldBe(HttpStatusCode.Forbidden, url);
        }

        server.Verified.Count.ShouldBe(1);
    }

    [Fact]
    public async Task AnotherAccountsSignedRequestIsRefused()
    {
        await using var server = await VerifyingServer.StartAsync("https://mycompany.com", accountSid: "ACours");
        List<KeyValuePair<string, string>> theirs = [.. Params, new("AccountSid", "ACtheirs")];
        List<KeyValuePair<string, string>> ours = [.. Params, new("AccountSid", "ACours")];

        using var refused = await server.PostAsync(Path + Query, theirs, TwilioSigning.Sign("https://mycompany.com" + Path + Query, theirs, Token));
        using var accepted = await server.PostAsync(Path + Query, ours, TwilioSigning.Sign("https://mycompany.com" + Path + Query, ours, Token));

        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task NotConfiguredIs404TooBigIs413AndNotAFormIs415BeforeAnySignatureCheck()
    {
        await using (var unconfigured = await VerifyingServer.StartAsync(publicBaseUrl: null))
        {
            using var response = await unconfigured.PostAsync(Path + Query, Params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        await using var server = await VerifyingServer.StartAsync("https://mycompany.com", maxBodyBytes: 1024);
        List<KeyValuePair<string, string>> big = [.. Params, new("Body", new string('x', 1100))];
        using (var tooBig = await server.PostAsync(Path + Query, big, TwilioSigning.Sign("https://mycompany.com" + Path + Query, big, Token)))
        {
            tooBig.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }

        // Without a length up front the limit holds while reading.
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + Path + Query) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 5000)))) })
        {
            chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
            chunked.Headers.TransferEncodingChunked = true;
            chunked.Headers.Add("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
            using var response = await server.Http.SendAsync(chunked, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }

        using (var json = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + Path + Query) { Content = new StringContent("{\"CallSid\":\"CA1\"}", Encoding.UTF8, "application/json") })
        {
            json.Headers.Add("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
            using var response = await server.Http.SendAsync(json, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        }

        server.Verified.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(new byte[] { 0x42, 0x6F, 0x64, 0x79, 0x3D, 0xC3, 0x28 })]
    [InlineData(new byte[] { 0x42, 0x6F, 0x64, 0x79, 0x3D, 0xFF })]
    public async Task ABodyThatIsNotUtf8IsRefused(byte[] body)
    {
        await using var server = await VerifyingServer.StartAsync("https://mycompany.com");
        using var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Twilio-Signature", TwilioSigning.Sign("https://mycompany.com" + Path, [new("Body", "\uFFFD(")], Token));

        using var response = await server.Http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        server.Verified.ShouldBeEmpty();
    }

    /// <summary>
    /// A real HTTP server on loopback whose only route hands the request to <see cref="TwilioWebhook"/>
    /// and records what it verified, configured with the vectors' token and the given public address.
    /// </summary>
    private sealed class VerifyingServer : IAsyncDisposable
    {
        private readonly WebApplication app;

        private VerifyingServer(WebApplication app) => this.app = app;

        public ConcurrentQueue<IReadOnlyDictionary<string, string>> Verified { get; } = new();

        public HttpClient Http { get; } = new();

        public string BaseUrl => app.Urls.First();

        public static async Task<VerifyingServer> StartAsync(string? publicBaseUrl, string? accountSid = null, long maxBodyBytes = 1024 * 1024)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddMetrics();
            builder.Services.AddSingleton<NotifierMetrics>();
            builder.Services.AddSingleton(Options.Create(new WebhookOptions { PublicBaseUrl = publicBaseUrl, MaxBodyBytes = maxBodyBytes, Twilio = { AuthToken = Token } }));
            builder.Services.AddSingleton(Options.Create(new TwilioOptions { AccountSid = accountSid }));
            builder.Services.AddSingleton<WebhookGate>();
            builder.Services.AddSingleton<TwilioWebhook>();
            var app = builder.Build();
            var server = new VerifyingServer(app);
            app.MapPost(Path, async (HttpContext http, TwilioWebhook webhook) =>
            {
                var (form, refusal) = await webhook.ReadAsync(http, new WebhookCall("twilio", "test"));
                if (refusal is not null)
                {
                    return refusal;
                }

                server.Verified.Enqueue(form!);
                return Results.Ok();
            });
            await app.StartAsync();
            return server;
        }

        public async Task<HttpResponseMessage> PostAsync(
            string target, IEnumerable<KeyValuePair<string, string>> form, string? signature, (string Name, string Value)[]? headers = null, string? host = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, BaseUrl + target) { Content = new FormUrlEncodedContent(form) };
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature);
            }

            foreach (var (name, value) in headers ?? [])
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (host is not null)
            {
                request.Headers.Host = host;
            }

            return await Http.SendAsync(request, Ct);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.DisposeAsync();
        }
    }
}
