using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Proactive.Tests.Shared;

/// <summary>
/// A small OpenID Connect issuer on loopback, over real HTTP: its discovery document and JWKS, and
/// tokens signed with its RSA key. The host under test finds the key as it would at any provider.
/// For a web client it also serves the authorization code flow with PKCE (authorize, token,
/// end_session): each sign-in signs in <see cref="User"/> as the test set it.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "proactive-api";

    public const string ClientId = "proactive-console";

    /// <summary>The console client's secret at this issuer.</summary>
    public static readonly string ClientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private readonly ConcurrentDictionary<string, Grant> grants = new();

    /// <summary>Callbacks waiting for the user's "Continue" on the login page, by code.</summary>
    private readonly ConcurrentDictionary<string, string> awaitingContinue = new();

    /// <summary>With a browser host, /authorize shows a page the user continues from (as at a real provider), so the way back starts on the issuer's site.</summary>
    private bool loginPage;

    private readonly WebApplication app;
    private readonly RsaSecurityKey key;

    private TestIssuer(WebApplication app, RsaSecurityKey key, string authority)
    {
        this.app = app;
        this.key = key;
        Authority = authority;
    }

    public string Authority { get; }

    /// <summary>Who the next sign-in at /authorize is, and how its tokens come out.</summary>
    public SignIn User { get; set; } = new("agent-7", "orders:read notices:read voice:read");

    /// <summary>The query of each /authorize request.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Authorizations { get; } = new();

    /// <summary>Token requests refused, with why (a wrong PKCE verifier, secret, code or redirect).</summary>
    public ConcurrentQueue<string> RefusedRedemptions { get; } = new();

    /// <summary>The query of each /end-session request.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> EndSessions { get; } = new();

    /// <summary>What the console host needs to sign users in here (beside trusting the tokens).</summary>
    public IEnumerable<KeyValuePair<string, string?>> ConsoleSettings() =>
    [
        .. Settings(),
        new("Proactive:Console:Oidc:ClientId", ClientId),
        new("Proactive:Console:Oidc:ClientSecret", ClientSecret),
        new("Proactive:Console:Oidc:DisplayName", "Test IdP"),
    ];

    /// <summary>What the host under test needs to trust this issuer.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Proactive:Auth:Jwt:Authority", Authority),
        new("Proactive:Auth:Jwt:Audience", Audience),
    ];

    /// <param name="endSession">Whether discovery names an end_session_endpoint.</param>
    /// <param name="browserHost">
    /// The host name a browser reaches the issuer's pages by (authorize, end_session), e.g. one a
    /// browser maps to 127.0.0.1 so the issuer is another site than the console; the back channel
    /// (discovery, keys, token) stays on the loopback address.
    /// </param>
    public static async Task<TestIssuer> StartAsync(bool endSession = true, string? browserHost = null)
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        TestIssuer? issuer = null;
        string Authority() => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        string Front() => browserHost is null ? Authority() : new UriBuilder(Authority()) { Host = browserHost }.Uri.GetLeftPart(UriPartial.Authority);
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            var discovery = new Dictionary<string, object>
            {
                ["issuer"] = Authority(),
                ["jwks_uri"] = $"{Authority()}/jwks",
                ["authorization_endpoint"] = $"{Front()}/authorize",
                ["token_endpoint"] = $"{Authority()}/token",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
                ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post" },
                ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
            };
            if (endSession)
            {
                discovery["end_session_endpoint"] = $"{Front()}/end-session";
            }

            return Results.Json(discovery);
        });
        app.MapGet("/jwks", () => Results.Text(
            JsonSerializer.Serialize(new { keys = new[] { Jwk(key) } }), "application/json"));
        app.MapGet("/authorize", (HttpRequest request) => issuer!.Authorize(request));
        app.MapPost("/continue", async (HttpRequest request) =>
            issuer!.awaitingContinue.TryRemove((await request.ReadFormAsync())["code"].ToString(), out var back) ? Results.Redirect(back) : Results.BadRequest("no sign-in waits for that code"));
        app.MapPost("/token", async (HttpRequest request) => issuer!.Redeem(await request.ReadFormAsync()));
        app.MapGet("/end-session", (HttpRequest request) =>
        {
            var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
            issuer!.EndSessions.Enqueue(query);
            var back = query.GetValueOrDefault("post_logout_redirect_uri");
            return back is null ? Results.Text("signed out") : Results.Redirect($"{back}?state={Uri.EscapeDataString(query.GetValueOrDefault("state") ?? "")}");
        });
        await app.StartAsync();
        issuer = new TestIssuer(app, key, Authority()) { loginPage = browserHost is not null };
        return issuer;
    }

    /// <summary>Signs <see cref="User"/> in at once (no login form) and sends the browser back with a one-time code.</summary>
    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        Authorizations.Enqueue(query);
        string? Get(string name) => query.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;
        if (Get("client_id") != ClientId || Get("response_type") != "code" || Get("redirect_uri") is not { } redirect
            || Get("code_challenge") is not { } challenge || Get("code_challenge_method") != "S256")
        {
            return Results.BadRequest("client_id, response_type=code, redirect_uri and an S256 code_challenge are required");
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        grants[code] = new Grant(redirect, challenge, Get("nonce"), User);
        var separator = redirect.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var back = $"{redirect}{separator}code={code}&state={Uri.EscapeDataString(Get("state") ?? "")}";
        if (!loginPage)
        {
            return Results.Redirect(back);
        }

        awaitingContinue[code] = back;
        return Results.Content(
            $"""<!DOCTYPE html><html lang="en"><title>Test IdP</title><form method="post" action="/continue"><input type="hidden" name="code" value="{code}"><button type="submit">Continue as {WebUtility.HtmlEncode(User.Name ?? User.Subject)}</button></form></html>""",
            "text/html");
    }

    /// <summary>The token endpoint: a code once, for its client, its redirect and the verifier of its challenge.</summary>
    private IResult Redeem(IFormCollection form)
    {
        string Refuse(string why)
        {
            RefusedRedemptions.Enqueue(why);
            return why;
        }

        if (form["grant_type"] != "authorization_code" || !grants.TryRemove(form["code"].ToString(), out var grant))
        {
            return Results.BadRequest(new { error = "invalid_grant", error_description = Refuse("unknown or used code") });
        }

        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client", error_description = Refuse("wrong client or secret") }, statusCode: 401);
        }

        var verifier = form["code_verifier"].ToString();
        if (form["redirect_uri"] != grant.RedirectUri
            || verifier.Length == 0
            || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
        {
            return Results.BadRequest(new { error = "invalid_grant", error_description = Refuse("redirect_uri or PKCE code_verifier does not match") });
        }

        var user = grant.User;
        var idClaims = new Dictionary<string, object> { ["name"] = user.Name ?? user.Subject };
        var nonce = user.Tamper == Tampering.WrongNonce ? "not-the-nonce-sent" : grant.Nonce;
        if (nonce is not null)
        {
            idClaims["nonce"] = nonce;
        }

        var idToken = user.Tamper switch
        {
            Tampering.Unsigned => Unsigned(idClaims, user.From, user.Subject),
            Tampering.ForeignKey => new TestIssuerKeyOnly(new RsaSecurityKey(RSA.Create(2048)) { KeyId = key.KeyId }).Token(Authority, idClaims, user.From, ClientId, user.Subject),
            _ => Token(idClaims, user.From, ClientId, user.Subject),
        };
        var accessClaims = new Dictionary<string, object>();
        if (user.Scope is not null)
        {
            accessClaims["scope"] = user.Scope;
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = Token(accessClaims, user.From, user.AccessAudience, user.Subject),
            ["id_token"] = idToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 3600,
        });
    }

    private string Unsigned(Dictionary<string, object> claims, DateTimeOffset from, string subject) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            Claims = new Dictionary<string, object>(claims) { ["sub"] = subject },
            NotBefore = from.AddDays(-1).UtcDateTime,
            IssuedAt = from.AddDays(-1).UtcDateTime,
            Expires = DateTime.UtcNow.AddDays(1),
        });

    /// <summary>
    /// A token of this issuer. <paramref name="claims"/> carries the scopes as the test wants them
    /// spelled ("scope": "a b", "scp": ["a", "b"]). Valid from a day before <paramref name="from"/>
    /// (the host's fake clock) to a day after the real clock, whichever clock the validation reads.
    /// </summary>
    public string Token(IDictionary<string, object> claims, DateTimeOffset from, string audience = Audience, string subject = "cx-console", bool expired = false) =>
        new TestIssuerKeyOnly(key).Token(Authority, claims, from, audience, subject, expired);

    private sealed record Grant(string RedirectUri, string Challenge, string? Nonce, SignIn User);

    /// <summary>Signs tokens with one key (this issuer's, or a forger's key under the same kid).</summary>
    private sealed class TestIssuerKeyOnly(RsaSecurityKey key)
    {
        public string Token(string issuer, IDictionary<string, object> claims, DateTimeOffset from, string audience, string subject, bool expired = false) =>
            new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = audience,
                Claims = new Dictionary<string, object>(claims) { ["sub"] = subject },
                NotBefore = (expired ? from.AddDays(-3) : from.AddDays(-1)).UtcDateTime,
                IssuedAt = (expired ? from.AddDays(-3) : from.AddDays(-1)).UtcDateTime,
                Expires = expired ? from.AddDays(-2).UtcDateTime : DateTime.UtcNow.AddDays(1),
                SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            });
    }

    private static object Jwk(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(false);
        return new
        {
            kty = "RSA",
            use = "sig",
            alg = SecurityAlgorithms.RsaSha256,
            kid = key.KeyId,
            n = Base64UrlEncoder.Encode(parameters.Modulus),
            e = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

/// <summary>How the issuer's next id_token is spoiled, for the tests that it is refused.</summary>
public enum Tampering
{
    None,
    Unsigned,
    ForeignKey,
    WrongNonce,
}

/// <summary>
/// One user's sign-in at <see cref="TestIssuer"/>: their subject, the scopes of the access token
/// (null: none), its audience, and any tampering of the id_token. Tokens are valid from a day
/// before <see cref="From"/> (set it to the host's fake clock) to a day after the real clock.
/// </summary>
public sealed record SignIn(string Subject, string? Scope, Tampering Tamper = Tampering.None, string? Name = null, string AccessAudience = TestIssuer.Audience)
{
    public DateTimeOffset From { get; init; } = DateTimeOffset.UtcNow;
}
