using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Proactive.ServiceDefaults.Auth;
using Proactive.Tests.Shared;

namespace Proactive.Standalone.Tests.Console;

/// <summary>
/// OpenID Connect sign-in for the console, the whole way round over HTTP: the console host (in
/// process, addressed as https://localhost) and the loopback issuer (Kestrel) share one cookie jar,
/// and every redirect is followed by hand. The access token's scopes decide what the session sees;
/// a forged or unsigned id_token, a wrong nonce or a wrong state gets no session; signing out ends
/// the session and the issuer's.
/// </summary>
public sealed partial class ConsoleOidcTests
{
    private static readonly Uri Site = new("https://localhost");

    private static readonly string Key = ApiKey.Mint();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEnumerable<KeyValuePair<string, string?>> Settings(TestIssuer issuer, bool apiKeys = true) =>
    [
        .. issuer.ConsoleSettings(),
        new("Proactive:Auth:Mode", "Required"),
        .. apiKeys
            ? new Dictionary<string, string?> { ["Proactive:Auth:ApiKeys:cx:Hash"] = ApiKey.Hash(Key), ["Proactive:Auth:ApiKeys:cx:Scopes"] = "orders:read" }
            : [],
    ];

    /// <summary>
    /// The host's fake clock starts in the past; the handler dates its nonce and correlation cookies
    /// by it, and a cookie jar drops cookies that expired by the real clock. Moved to now (never back).
    /// </summary>
    private static async Task<StandaloneHost> StartAsync(TestIssuer issuer, bool apiKeys = true, params KeyValuePair<string, string?>[] more)
    {
        var host = await StandaloneHost.StartAsync(settings: [.. Settings(issuer, apiKeys), .. more]);
        if (DateTimeOffset.UtcNow > host.Time.GetUtcNow())
        {
            host.Time.SetUtcNow(DateTimeOffset.UtcNow);
        }

        issuer.User = issuer.User with { From = host.Time.GetUtcNow() };
        return host;
    }

    [Fact]
    public async Task SigningInAtTheIssuerOpensTheConsoleWithTheAccessTokensScopes()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer);
        issuer.User = issuer.User with { Scope = "orders:read notices:read voice:read events:write", Name = "Agent Seven" };
        using var browser = new Browser(host);

        using var closed = await browser.GetAsync(new Uri(Site, "/console"));
        closed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var signInPage = await browser.GetStringAsync(closed.Headers.Location!);
        signInPage.ShouldContain("Sign in with Test IdP");
        signInPage.ShouldContain("name=\"Key\"", customMessage: "API keys are configured: the key form stays");

        var (callback, session) = await browser.SignInAtIssuerAsync(issuer);

        callback.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        callback.Headers.Location!.OriginalString.ShouldBe("/console");
        var authorize = issuer.Authorizations.ShouldHaveSingleItem();
        authorize["code_challenge_method"].ShouldBe("S256");
        authorize["code_challenge"].Length.ShouldBeGreaterThanOrEqualTo(43);
        authorize.GetValueOrDefault("response_mode", "query").ShouldBe("query", "a top-level redirect back, not a cross-site form POST");
        authorize["redirect_uri"].ShouldBe("https://localhost/console/signin-oidc");
        Scopes.Split(authorize["scope"]).ShouldBe(["openid", "orders:read", "notices:read", "voice:read"], ignoreOrder: true);
        issuer.RefusedRedemptions.ShouldBeEmpty();

        session.ShouldNotBeNull("the callback sets the console session");
        session.ShouldContain("httponly", Case.Insensitive);
        session.ShouldContain("samesite=lax", Case.Insensitive);
        session.ShouldContain("path=/console", Case.Insensitive);
        session.ShouldContain("secure", Case.Insensitive);

        using var now = await browser.GetAsync(new Uri(Site, "/console"));
        now.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = WebUtility.HtmlDecode(await now.Content.ReadAsStringAsync(Ct));
        page.ShouldContain("Late and at-risk orders");
        page.ShouldContain("Signed in as Agent Seven");
        page.ShouldContain("href=\"/console/voice\"");
        (await browser.GetAsync(new Uri(Site, "/console/voice"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The session opens the console only: no JSON API answers it.
        using var api = await browser.GetAsync(new Uri(Site, "/v1/voice/summary"));
        api.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ATokenWithoutOrdersReadSeesTheVoiceButNoOrderPage()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer, apiKeys: false);
        issuer.User = issuer.User with { Scope = "voice:read" };
        using var browser = new Browser(host);

        var signInPage = await browser.GetStringAsync(new Uri(Site, "/console/sign-in"));
        var (callback, _) = await browser.SignInAtIssuerAsync(issuer);

        signInPage.ShouldNotContain("name=\"Key\"", customMessage: "no API key is configured: only the issuer is offered");
        callback.Headers.Location!.OriginalString.ShouldBe("/console");
        var voice = await browser.GetAsync(new Uri(Site, "/console/voice"));
        voice.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await voice.Content.ReadAsStringAsync(Ct)).ShouldNotContain("href=\"/console/incidents\"");
        foreach (var path in new[] { "/console", "/console/order?id=DEMO-KR-1001", "/console/incidents", "/console/backtest" })
        {
            using var response = await browser.GetAsync(new Uri(Site, path));
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Your sign-in lacks the scope orders:read.", customMessage: path);
        }
    }

    [Theory]
    [InlineData("events:write")]
    [InlineData(null)]
    public async Task AnAccessTokenWithoutAConsoleScopeGetsNoSession(string? scope)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer);
        issuer.User = issuer.User with { Scope = scope };
        using var browser = new Browser(host);

        var (callback, session) = await browser.SignInAtIssuerAsync(issuer);

        await ShouldBeRefusedAsync(browser, callback, session);
    }

    [Fact]
    public async Task AnAccessTokenForAnotherAudienceGetsNoSession()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer);
        issuer.User = issuer.User with { AccessAudience = "someone-else" };
        using var browser = new Browser(host);

        var (callback, session) = await browser.SignInAtIssuerAsync(issuer);

        await ShouldBeRefusedAsync(browser, callback, session);
    }

    [Theory]
    [InlineData(Tampering.Unsigned)]
    [InlineData(Tampering.ForeignKey)]
    [InlineData(Tampering.WrongNonce)]
    public async Task AForgedOrUnsignedIdTokenOrAWrongNonceGetsNoSession(Tampering tampering)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer);
        issuer.User = issuer.User with { Tamper = tampering };
        using var browser = new Browser(host);

        var (callback, session) = await browser.SignInAtIssuerAsync(issuer);

        issuer.RefusedRedemptions.ShouldBeEmpty("the code and PKCE verifier were good: the id_token is what is refused");
        await ShouldBeRefusedAsync(browser, callback, session);
    }

    [Fact]
    public async Task AWrongStateOrACodeWithoutItsBrowsersCookiesGetsNoSession()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer);

        using var browser = new Browser(host);
        var (wrongState, wrongStateSession) = await browser.SignInAtIssuerAsync(issuer, callback => Regex.Replace(callback, "state=[^&]+", "state=forged"));
        await ShouldBeRefusedAsync(browser, wrongState, wrongStateSession);

        // An attacker's own code and state, pasted into a victim's browser: its correlation cookie is not there.
        using var attacker = new Browser(host);
        string? stolen = null;
        await attacker.SignInAtIssuerAsync(issuer, callback => stolen = callback, send: false);
        using var victim = new Browser(host);
        using var pasted = await victim.GetAsync(new Uri(stolen!));
        await ShouldBeRefusedAsync(victim, pasted, Browser.Session(pasted));
    }

    [Fact]
    public async Task SigningOutEndsTheSessionAndTheIssuersSession()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer);
        using var browser = new Browser(host);
        await browser.SignInAtIssuerAsync(issuer);
        var console = await browser.GetStringAsync(new Uri(Site, "/console"));

        using var signOut = await browser.PostAsync(new Uri(Site, "/console/sign-out"), Token().Match(console).Groups[1].Value);

        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signOut.Headers.Location!.GetLeftPart(UriPartial.Path).ShouldBe($"{issuer.Authority}/end-session");
        Browser.Cookies(signOut).ShouldContain(c => c.StartsWith("proactive-console=;", StringComparison.Ordinal), "the session cookie is cleared at once");
        using var atIssuer = await browser.GetAsync(signOut.Headers.Location);
        var endSession = issuer.EndSessions.ShouldHaveSingleItem();
        endSession.ShouldContainKey("id_token_hint");
        endSession["post_logout_redirect_uri"].ShouldBe("https://localhost/console/signout-oidc");
        atIssuer.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var back = await browser.GetAsync(atIssuer.Headers.Location!);
        back.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        back.Headers.Location!.OriginalString.ShouldEndWith("/console/sign-in");

        using var after = await browser.GetAsync(new Uri(Site, "/console"));
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in");
    }

    [Fact]
    public async Task WithoutAnEndSessionEndpointSigningOutEndsTheConsoleSessionOnly()
    {
        await using var issuer = await TestIssuer.StartAsync(endSession: false);
        await using var host = await StartAsync(issuer);
        using var browser = new Browser(host);
        await browser.SignInAtIssuerAsync(issuer);
        var console = await browser.GetStringAsync(new Uri(Site, "/console"));

        using var signOut = await browser.PostAsync(new Uri(Site, "/console/sign-out"), Token().Match(console).Groups[1].Value);
        using var after = await browser.GetAsync(new Uri(Site, "/console"));

        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signOut.Headers.Location!.OriginalString.ShouldBe("/console/sign-in");
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in");
    }

    [Theory]
    [InlineData("Proactive:Console:Oidc:ClientId", "Proactive:Console:Oidc:ClientId must be set with ClientSecret")]
    [InlineData("Proactive:Console:Oidc:ClientSecret", "Proactive:Console:Oidc:ClientSecret must be set with ClientId")]
    [InlineData(null, "Proactive:Auth:Jwt:Authority must be set with Proactive:Console:Oidc:ClientId")]
    public async Task HalfAnOidcClientRefusesTheStartNamingTheKey(string? missing, string message)
    {
        await using var issuer = await TestIssuer.StartAsync();
        var settings = issuer.ConsoleSettings().Where(s => s.Key != missing).ToList();
        if (missing is null)
        {
            settings.RemoveAll(s => s.Key.StartsWith("Proactive:Auth:Jwt", StringComparison.Ordinal));
        }

        var refused = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var host = await StandaloneHost.StartAsync(settings: settings);
            await host.Client.GetAsync("/console/sign-in", Ct);
        });

        refused.Message.ShouldContain(message);
    }

    private static async Task ShouldBeRefusedAsync(Browser browser, HttpResponseMessage callback, string? session)
    {
        callback.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        callback.Headers.Location!.OriginalString.ShouldBe("/console/sign-in?refused=true");
        session.ShouldBeNull();
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync(new Uri(Site, callback.Headers.Location!.OriginalString)));
        page.ShouldContain("Sign-in with Test IdP was refused");
        using var after = await browser.GetAsync(new Uri(Site, "/console"));
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in");
    }

    /// <summary>
    /// Behind a proxy that terminates TLS, Notifier is called over http. With ASP.NET Core's
    /// forwarded headers on (ASPNETCORE_FORWARDEDHEADERS_ENABLED, or ForwardedHeaders_Enabled in
    /// configuration) it takes the proxy's X-Forwarded-Proto: the issuer is given the https callback
    /// it has registered and the cookies are Secure; without it, the callback is http.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BehindATlsTerminatingProxyTheForwardedSchemeIsTheOneTheIssuerSees(bool forwardedHeaders)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StartAsync(issuer, more: forwardedHeaders ? [new("ForwardedHeaders_Enabled", "true")] : []);
        issuer.User = issuer.User with { Scope = "orders:read" };
        using var browser = new Browser(host, behindTlsProxy: true);

        var (callback, session) = await browser.SignInAtIssuerAsync(issuer, send: forwardedHeaders);

        var authorize = issuer.Authorizations.ShouldHaveSingleItem();
        if (!forwardedHeaders)
        {
            authorize["redirect_uri"].ShouldBe("http://localhost/console/signin-oidc");
            return;
        }

        authorize["redirect_uri"].ShouldBe("https://localhost/console/signin-oidc");
        issuer.RefusedRedemptions.ShouldBeEmpty();
        callback.Headers.Location!.OriginalString.ShouldBe("/console");
        session.ShouldNotBeNull("the callback sets the console session");
        session.ShouldContain("secure", Case.Insensitive);
        (await browser.GetAsync(new Uri(Site, "/console"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("action=\"([^\"]*handler=Issuer[^\"]*)\"")]
    private static partial Regex IssuerForm();

    /// <summary>
    /// A browser that follows no redirect by itself: one cookie jar for the console host (in-memory
    /// server) and the issuer (a real socket), so each hop is seen and checked.
    /// </summary>
    private sealed class Browser : IDisposable
    {
        private readonly CookieContainer jar = new();
        private readonly HttpClient console;
        private readonly HttpClient network;

        public Browser(StandaloneHost host, bool behindTlsProxy = false)
        {
            console = new HttpClient(new CookieContainerHandler(jar) { InnerHandler = behindTlsProxy ? new TlsTerminatingProxy { InnerHandler = host.Handler() } : host.Handler() });
            network = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false });
        }

        public Task<HttpResponseMessage> GetAsync(Uri url) => (url.Host == Site.Host ? console : network).GetAsync(url, Ct);

        public async Task<string> GetStringAsync(Uri url)
        {
            using var response = await GetAsync(url.IsAbsoluteUri ? url : new Uri(Site, url));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, url.ToString());
            return await response.Content.ReadAsStringAsync(Ct);
        }

        public Task<HttpResponseMessage> PostAsync(Uri url, string antiforgery, params (string Name, string Value)[] fields) =>
            console.PostAsync(url, new FormUrlEncodedContent([new("__RequestVerificationToken", antiforgery), .. fields.Select(f => KeyValuePair.Create(f.Name, f.Value))]), Ct);

        /// <summary>
        /// Sign-in page → "Sign in with" (POST) → the issuer's /authorize → the callback (its URL
        /// first passed through <paramref name="callback"/>, sent unless <paramref name="send"/> is false).
        /// </summary>
        public async Task<(HttpResponseMessage Callback, string? Session)> SignInAtIssuerAsync(TestIssuer issuer, Func<string, string>? callback = null, bool send = true)
        {
            var page = await GetStringAsync(new Uri(Site, "/console/sign-in?ReturnUrl=%2Fconsole"));
            var action = WebUtility.HtmlDecode(IssuerForm().Match(page).Groups[1].Value);
            action.ShouldNotBeEmpty("the sign-in page offers the issuer");
            using var challenge = await PostAsync(new Uri(Site, action), Token().Match(page).Groups[1].Value, ("ReturnUrl", "/console"));
            challenge.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            challenge.Headers.Location!.GetLeftPart(UriPartial.Path).ShouldBe($"{issuer.Authority}/authorize");

            using var authorized = await GetAsync(challenge.Headers.Location);
            authorized.StatusCode.ShouldBe(HttpStatusCode.Redirect, await authorized.Content.ReadAsStringAsync(Ct));
            var back = (callback ?? (u => u))(authorized.Headers.Location!.ToString());
            if (!send)
            {
                return (authorized, null);
            }

            var response = await GetAsync(new Uri(back));
            return (response, Session(response));
        }

        public static IEnumerable<string> Cookies(HttpResponseMessage response) =>
            response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [];

        /// <summary>The console session cookie the response sets, or null.</summary>
        public static string? Session(HttpResponseMessage response) =>
            Cookies(response).SingleOrDefault(c => c.StartsWith("proactive-console=", StringComparison.Ordinal) && !c.StartsWith("proactive-console=;", StringComparison.Ordinal));

        public void Dispose()
        {
            console.Dispose();
            network.Dispose();
        }
    }

    /// <summary>What an ingress terminating TLS does: the browser's https request goes on over http, with X-Forwarded-Proto and -For.</summary>
    private sealed class TlsTerminatingProxy : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri!.Scheme.ShouldBe("https", "the browser talks to the proxy over TLS");
            request.RequestUri = new UriBuilder(request.RequestUri) { Scheme = "http", Port = 80 }.Uri;
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
