using System.Net;
using System.Security.Cryptography;
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
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "proactive-api";

    private readonly WebApplication app;
    private readonly RsaSecurityKey key;

    private TestIssuer(WebApplication app, RsaSecurityKey key, string authority)
    {
        this.app = app;
        this.key = key;
        Authority = authority;
    }

    public string Authority { get; }

    /// <summary>What the host under test needs to trust this issuer.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Proactive:Auth:Jwt:Authority", Authority),
        new("Proactive:Auth:Jwt:Audience", Audience),
    ];

    public static async Task<TestIssuer> StartAsync()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        string Authority() => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority(),
            ["jwks_uri"] = $"{Authority()}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
        }));
        app.MapGet("/jwks", () => Results.Text(
            JsonSerializer.Serialize(new { keys = new[] { Jwk(key) } }), "application/json"));
        await app.StartAsync();
        return new TestIssuer(app, key, Authority());
    }

    /// <summary>
    /// A token of this issuer. <paramref name="claims"/> carries the scopes as the test wants them
    /// spelled ("scope": "a b", "scp": ["a", "b"]). Valid from a day before <paramref name="from"/>
    /// (the host's fake clock) to a day after the real clock, whichever clock the validation reads.
    /// </summary>
    public string Token(IDictionary<string, object> claims, DateTimeOffset from, string audience = Audience, string subject = "cx-console", bool expired = false) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            Claims = new Dictionary<string, object>(claims) { ["sub"] = subject },
            NotBefore = (expired ? from.AddDays(-3) : from.AddDays(-1)).UtcDateTime,
            IssuedAt = (expired ? from.AddDays(-3) : from.AddDays(-1)).UtcDateTime,
            Expires = expired ? from.AddDays(-2).UtcDateTime : DateTime.UtcNow.AddDays(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

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
