using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.Standalone.Tests.Auth;

/// <summary>Proactive:Auth checked at start, API keys, scopes as tokens spell them, the key-minting command.</summary>
public sealed class AuthConfigurationTests
{
    private static ApiAuthOptions Options(params (string Key, string Value)[] settings)
    {
        var options = new ApiAuthOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build().Bind(options);
        return options;
    }

    [Fact]
    public void RequiredWithNeitherIssuerNorKeyStartsClosedAndOnlyAnUnknownModeIsRefused()
    {
        // Nothing configured: the host starts and every API answers 401 (ApiAuthTests), with a warning.
        new ApiAuthOptions().Problems().ShouldBeEmpty();
        Options(("Mode", "None")).Problems().ShouldBeEmpty();
        Options(("Mode", "Off")).Problems().ShouldContain(p => p.StartsWith("Proactive:Auth:Mode 'Off' must be Required or None", StringComparison.Ordinal));
    }

    [Fact]
    public void AKeyWithoutAHashOrWithAnUnknownScopeIsRefusedByName()
    {
        var problems = Options(
            ("ApiKeys:shop:Scopes:0", "events:write"),
            ("ApiKeys:crm:Hash", ApiKey.Hash("k")),
            ("ApiKeys:crm:Scopes:0", "orders:write"),
            ("ApiKeys:bi:Hash", "not-a-hash"),
            ("ApiKeys:bi:Scopes:0", "voice:read")).Problems().ToList();

        problems.ShouldContain("Proactive:Auth:ApiKeys:shop:Hash must be the key's SHA-256 as 64 hex digits (print one with --new-api-key)");
        problems.ShouldContain(p => p.StartsWith("Proactive:Auth:ApiKeys:crm:Scopes 'orders:write' unknown", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("Proactive:Auth:ApiKeys:bi:Hash", StringComparison.Ordinal));
        problems.Count.ShouldBe(3);
    }

    [Fact]
    public void AnIssuerNeedsAnAudienceAndHttpsUnlessToldOtherwise()
    {
        Options(("Jwt:Authority", "https://login.example.com/realms/shop")).Problems()
            .ShouldBe(["Proactive:Auth:Jwt:Audience must be set: without it any token of that issuer would do"]);
        Options(("Jwt:Authority", "http://login.example.com/realms/shop"), ("Jwt:Audience", "proactive")).Problems()
            .ShouldHaveSingleItem().ShouldStartWith("Proactive:Auth:Jwt:Authority is plain http");
        Options(("Jwt:Authority", "http://login.example.com/realms/shop"), ("Jwt:Audience", "proactive"), ("Jwt:RequireHttpsMetadata", "false")).Problems().ShouldBeEmpty();

        // An issuer on this machine (a test issuer, a sidecar) may speak plain http.
        Options(("Jwt:Authority", "http://127.0.0.1:5000"), ("Jwt:Audience", "proactive")).Problems().ShouldBeEmpty();
        Options(("Jwt:Authority", "http://localhost:5000"), ("Jwt:Audience", "proactive")).Problems().ShouldBeEmpty();
        Options(("Jwt:Audience", "proactive")).Problems().ShouldContain("Proactive:Auth:Jwt:Authority must be set when Jwt:Audience is");
        Options(("Mode", "None"), ("IngestRateLimit:PermitLimit", "-1"), ("IngestRateLimit:Window", "00:00:00")).Problems()
            .ShouldBe(["Proactive:Auth:IngestRateLimit:PermitLimit must be 0 (off) or positive", "Proactive:Auth:IngestRateLimit:Window must be positive"]);
    }

    [Fact]
    public void AKeyIsFoundByItsHashAndOnlyByIt()
    {
        var key = ApiKey.Mint();
        var keys = new Dictionary<string, ApiKeySettings>
        {
            ["shop"] = new() { Hash = ApiKey.Hash(key).ToUpperInvariant() },
            ["other"] = new() { Hash = ApiKey.Hash(ApiKey.Mint()) },
        };

        key.ShouldStartWith(ApiKey.Prefix);
        key.Length.ShouldBe(ApiKey.Prefix.Length + 43);
        ApiKey.Hash(key).ShouldMatch("^[0-9a-f]{64}$");
        ApiKey.Find(key, keys).ShouldBe("shop");
        ApiKey.Find(key + "x", keys).ShouldBeNull();
        ApiKey.Find(ApiKey.Hash(key), keys).ShouldBeNull();
    }

    [Fact]
    public void ScopesAreReadFromScopeAndScpClaimsAsStringsOrArrays()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("scope", "orders:read  notices:read"),
            new Claim("scp", "events:write"),
            new Claim("scp", "voice:read"),
            new Claim("roles", "preferences:write"),
            new Claim("permissions", "queues:manage"),
        ]));

        // "permissions": Auth0's RBAC puts the API's scopes there.
        Scopes.Of(user).ShouldBe(["orders:read", "notices:read", "events:write", "voice:read", "queues:manage"], ignoreOrder: true);
    }

    [Fact]
    public void TheMintingCommandRefusesAnUnknownScopeOrABadName()
    {
        var error = new StringWriter();
        NewApiKeyCommand.Run([NewApiKeyCommand.Name, "shop", "--scopes", "events:write,orders:write"], new StringWriter(), error).ShouldBe(2);
        error.ToString().ShouldContain("Unknown scope(s): orders:write.");
        NewApiKeyCommand.Run([NewApiKeyCommand.Name, "shop:1", "--scopes", "events:write"], new StringWriter(), new StringWriter()).ShouldBe(2);
        NewApiKeyCommand.Run([NewApiKeyCommand.Name, "shop"], new StringWriter(), new StringWriter()).ShouldBe(2);
    }

    [Fact]
    public async Task TheRealHostRefusesToStartRequiredWithoutCredentialsNamingTheKey()
    {
        var (exitCode, output) = await StartRefusals.RunAsync(
            ("Proactive:Auth:Mode", "Required"),
            ("Proactive:Auth:ApiKeys:shop:Scopes", "events:write"));

        exitCode.ShouldBe(1);
        output.ShouldContain("Invalid configuration, not started:");
        output.ShouldContain("Proactive:Auth:ApiKeys:shop:Hash must be the key's SHA-256");
    }
}
