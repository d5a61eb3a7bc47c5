using Proactive.ServiceDefaults.Configuration;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>Configuration section "Proactive:Auth": who may call the HTTP and gRPC APIs.</summary>
public sealed class ApiAuthOptions : ICheckedOptions
{
    public const string Section = "Proactive:Auth";

    public const string Required = "Required";

    /// <summary>Anonymous access, only when set explicitly (the demo does).</summary>
    public const string None = "None";

    /// <summary><see cref="Required"/> (the default) or <see cref="None"/>.</summary>
    public string Mode { get; set; } = Required;

    public JwtSettings Jwt { get; set; } = new();

    /// <summary>API keys by name.</summary>
    public Dictionary<string, ApiKeySettings> ApiKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Requests to ingest per client (API key or token's client) in each window.</summary>
    public ClientRateLimitSettings IngestRateLimit { get; set; } = new();

    public bool Anonymous => string.Equals(Mode, None, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Problems()
    {
        var problems = new OptionProblems(Section)
            .Require(Anonymous || string.Equals(Mode, Required, StringComparison.OrdinalIgnoreCase), nameof(Mode), $"'{Mode}' must be {Required} or {None}")
            .Require(IngestRateLimit.PermitLimit >= 0, "IngestRateLimit:PermitLimit", "must be 0 (off) or positive")
            .Require(IngestRateLimit.Window > TimeSpan.Zero, "IngestRateLimit:Window", "must be positive");
        if (Jwt.Configured || !string.IsNullOrWhiteSpace(Jwt.Audience))
        {
            problems
                .Require(Jwt.Configured, "Jwt:Authority", "must be set when Jwt:Audience is")
                .Require(string.IsNullOrWhiteSpace(Jwt.Authority) || OptionProblems.IsHttpUrl(Jwt.Authority), "Jwt:Authority", $"'{Jwt.Authority}' must be the issuer's absolute http(s) URL")
                .Require(string.IsNullOrWhiteSpace(Jwt.MetadataAddress) || OptionProblems.IsHttpUrl(Jwt.MetadataAddress), "Jwt:MetadataAddress", $"'{Jwt.MetadataAddress}' must be an absolute http(s) URL")
                .Require(!Jwt.RequireHttpsMetadata || !Jwt.MetadataIsPlainHttp || Jwt.MetadataIsLoopback, "Jwt:Authority", "is plain http: use https (plain http is taken only from a loopback issuer), or set Jwt:RequireHttpsMetadata=false")
                .Require(!string.IsNullOrWhiteSpace(Jwt.Audience), "Jwt:Audience", "must be set: without it any token of that issuer would do");
        }

        foreach (var (name, key) in ApiKeys)
        {
            var unknown = key.Scopes.Where(s => !Scopes.All.Contains(s)).ToList();
            problems
                .Require(ApiKey.IsName(name), $"ApiKeys:{name}", "is not a valid key name (letters, digits, '-' and '_', at most 64)")
                .Require(ApiKey.IsHash(key.Hash), $"ApiKeys:{name}:Hash", "must be the key's SHA-256 as 64 hex digits (print one with --new-api-key)")
                .Require(key.Scopes.Count > 0, $"ApiKeys:{name}:Scopes", $"must name at least one of {string.Join(' ', Scopes.All)}")
                .Require(unknown.Count == 0, $"ApiKeys:{name}:Scopes", $"'{string.Join(' ', unknown)}' unknown; known: {string.Join(' ', Scopes.All)}");
        }

        return problems;
    }
}

/// <summary>"Proactive:Auth:Jwt": bearer tokens of one OpenID Connect issuer.</summary>
public sealed class JwtSettings
{
    /// <summary>The issuer; its keys are read from {Authority}/.well-known/openid-configuration.</summary>
    public string? Authority { get; set; }

    /// <summary>The "aud" a token must carry.</summary>
    public string? Audience { get; set; }

    /// <summary>Where the discovery document is, when not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Configured => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress);

    internal bool MetadataIsPlainHttp =>
        (string.IsNullOrWhiteSpace(MetadataAddress) ? Authority : MetadataAddress) is { } url && url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The discovery document is on this machine (a test or sidecar issuer): plain http is no exposure there.</summary>
    internal bool MetadataIsLoopback =>
        Uri.TryCreate(string.IsNullOrWhiteSpace(MetadataAddress) ? Authority : MetadataAddress, UriKind.Absolute, out var url) && url.IsLoopback;
}

/// <summary>"Proactive:Auth:ApiKeys:{name}": one client's key.</summary>
public sealed class ApiKeySettings
{
    /// <summary>SHA-256 of the key, hex; the key itself is never configured.</summary>
    public string? Hash { get; set; }

    /// <summary>A list, or one string separated by spaces or commas.</summary>
    public List<string> Scopes { get; set; } = [];
}

public sealed class ClientRateLimitSettings
{
    /// <summary>Requests per client in each <see cref="Window"/>; 0 turns the limit off.</summary>
    public int PermitLimit { get; set; } = 120_000;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
