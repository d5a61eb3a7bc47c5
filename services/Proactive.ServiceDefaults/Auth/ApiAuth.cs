using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// Who may call the APIs: a bearer token of the configured OpenID Connect issuer or a named API
/// key, each carrying scopes. Every endpoint needs an authenticated caller unless it says
/// otherwise (the fallback policy); an endpoint open to anyone says so with AllowAnonymous.
/// </summary>
public static class ApiAuth
{
    /// <summary>
    /// The default scheme: it picks the scheme by the credential sent ("Bearer" → JWT, anything
    /// else → API key). A later scheme (a console's session cookie) joins here.
    /// </summary>
    public const string Scheme = "Proactive";

    /// <summary>
    /// The CX console's session cookie (the standalone host's console adds the scheme). Requests
    /// under <see cref="ConsolePath"/> are authenticated by it, and its challenge redirects to the
    /// sign-in page instead of answering 401.
    /// </summary>
    public const string ConsoleScheme = "ProactiveConsole";

    /// <summary>Where the console's pages are.</summary>
    public const string ConsolePath = "/console";

    /// <summary>The rate-limiting policy of ingest: one window of permits per client.</summary>
    public const string IngestRateLimit = "ingest-per-client";

    public const string SubjectClaim = "sub";

    public static WebApplicationBuilder AddApiAuth(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ApiAuthOptions.Section);
        builder.Services.AddCheckedOptions<ApiAuthOptions>(section)
            .PostConfigure(o => ReadScopeStrings(o, section));
        builder.Services
            .AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or API key", o => o.ForwardDefaultSelector = SchemeFor)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<ApiAuthOptions>>((jwt, auth) => ConfigureJwt(jwt, auth.Value.Jwt));
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuthProblemResults>();
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<AuthorizationOptions>().Configure<IOptions<ApiAuthOptions>>((authorization, auth) => AddPolicies(authorization, auth.Value.Anonymous));
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(IngestRateLimit, ClientRateLimit.Partition);
            o.OnRejected = ClientRateLimit.RejectAsync;
        });
        builder.Services.AddHostedService<AuthModeNotice>();
        return builder;
    }

    /// <summary>Authentication, authorization, then rate limiting (which partitions by the authenticated client).</summary>
    public static WebApplication UseApiAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>One policy per scope, named as the scope; in mode None each lets anyone through and nothing falls back.</summary>
    private static void AddPolicies(AuthorizationOptions authorization, bool anonymous)
    {
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy =>
            {
                if (anonymous)
                {
                    policy.RequireAssertion(_ => true);
                }
                else
                {
                    policy.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope));
                }
            });
        }

        authorization.FallbackPolicy = anonymous ? null : new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, JwtSettings settings)
    {
        jwt.Authority = string.IsNullOrWhiteSpace(settings.Authority) ? null : settings.Authority;
        jwt.MetadataAddress = settings.MetadataAddress?.Trim() ?? "";
        jwt.Audience = settings.Audience;
        jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata && !settings.MetadataIsLoopback;

        // Claims as the token names them ("sub", "scope", "scp"), not mapped to WS-* URIs.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = SubjectClaim;
        jwt.TokenValidationParameters.AuthenticationType = JwtBearerDefaults.AuthenticationScheme;
    }

    private static string SchemeFor(HttpContext http) =>
        http.Request.Path.StartsWithSegments(ConsolePath, StringComparison.OrdinalIgnoreCase)
        && http.RequestServices.GetService<ConsoleSchemeAdded>() is not null
            ? ConsoleScheme
            : Credential(http.Request, JwtBearerDefaults.AuthenticationScheme) is { } bearer
        && !ApiKey.LooksLikeKey(bearer)
        && http.RequestServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value.Jwt.Configured
            ? JwtBearerDefaults.AuthenticationScheme
            : ApiKeyAuthenticationHandler.SchemeName;

    /// <summary>The credential of "Authorization: {scheme} {credential}", or null.</summary>
    public static string? Credential(HttpRequest request, string scheme) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
        && string.Equals(header.Scheme, scheme, StringComparison.OrdinalIgnoreCase)
        && !string.IsNullOrWhiteSpace(header.Parameter)
            ? header.Parameter.Trim()
            : null;

    /// <summary>Who is calling, for per-client limits: the API key's name or the token's client (azp, client_id, else sub).</summary>
    public static string ClientOf(HttpContext http)
    {
        var user = http.User;
        if (user.Identity is { IsAuthenticated: true } identity)
        {
            var client = user.FindFirstValue("azp") ?? user.FindFirstValue("client_id") ?? user.FindFirstValue(SubjectClaim) ?? "";
            return $"{identity.AuthenticationType}:{client}";
        }

        return $"anonymous:{http.Connection.RemoteIpAddress}";
    }

    /// <summary>"Scopes": "events:write orders:read" (one string, e.g. an environment variable) as well as a list.</summary>
    private static void ReadScopeStrings(ApiAuthOptions options, Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        foreach (var (name, key) in options.ApiKeys)
        {
            var configured = section.GetSection($"ApiKeys:{name}:Scopes");
            if (!configured.GetChildren().Any() && configured.Value is { } scopes)
            {
                key.Scopes = [.. Scopes.Split(scopes)];
            }
            else
            {
                key.Scopes = [.. key.Scopes.SelectMany(Scopes.Split)];
            }
        }
    }

    /// <summary>Says at start how the APIs are protected; warns when they are not.</summary>
    private sealed class AuthModeNotice(IOptions<ApiAuthOptions> options, ILogger<AuthModeNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var auth = options.Value;
            if (auth.Anonymous)
            {
                logger.LogWarning("Proactive:Auth:Mode is None: the APIs answer anyone who can reach them, without authentication. Never run so in production");
            }
            else if (!auth.Jwt.Configured && auth.ApiKeys.Count == 0)
            {
                logger.LogWarning(
                    "APIs require authentication, but no credential is configured (Proactive:Auth:Jwt:Authority, Proactive:Auth:ApiKeys): every API answers 401. Mint a key with --new-api-key");
            }
            else
            {
                logger.LogInformation(
                    "APIs require authentication: {Jwt}, {Keys} API key(s)",
                    auth.Jwt.Configured ? $"bearer tokens of {auth.Jwt.Authority ?? auth.Jwt.MetadataAddress} for audience {auth.Jwt.Audience}" : "no bearer tokens",
                    auth.ApiKeys.Count);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Registered by a host that serves the console and so has added <see cref="ApiAuth.ConsoleScheme"/>.</summary>
public sealed class ConsoleSchemeAdded;
