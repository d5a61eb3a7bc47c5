using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.CxConsole;

/// <summary>
/// "Proactive:Console:Oidc": the console's client at the OpenID Connect issuer the APIs already
/// trust (Proactive:Auth:Jwt:Authority). With a client id (and its secret) the sign-in page offers
/// "Sign in with …": the authorization code flow with PKCE, answered to /console/signin-oidc.
/// </summary>
public sealed class ConsoleOidcOptions : ICheckedOptions
{
    public const string Section = "Proactive:Console:Oidc";

    /// <summary>The console's client id at the issuer; empty: no OpenID Connect sign-in.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client's secret, from configuration or the environment only (never a file in the repository).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>What the button says: "Sign in with {DisplayName}"; the issuer's host when not set.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The scopes asked for, separated by spaces or commas; "openid" is always asked.</summary>
    public string Scopes { get; set; } = $"openid {ServiceDefaults.Auth.Scopes.OrdersRead} {ServiceDefaults.Auth.Scopes.NoticesRead} {ServiceDefaults.Auth.Scopes.VoiceRead}";

    /// <summary>Set from Proactive:Auth:Jwt: the issuer whose tokens the APIs take.</summary>
    internal string? Issuer { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(ClientId);

    public string Label => !string.IsNullOrWhiteSpace(DisplayName) ? DisplayName.Trim()
        : Uri.TryCreate(Issuer, UriKind.Absolute, out var issuer) ? issuer.Authority : Issuer ?? "";

    public IEnumerable<string> Problems()
    {
        if (!Configured && string.IsNullOrWhiteSpace(ClientSecret))
        {
            return [];
        }

        IEnumerable<string> problems = new OptionProblems(Section)
            .Require(Configured, nameof(ClientId), "must be set with ClientSecret")
            .Require(!string.IsNullOrWhiteSpace(ClientSecret), nameof(ClientSecret), "must be set with ClientId (from the environment, e.g. Proactive__Console__Oidc__ClientSecret)");
        return string.IsNullOrWhiteSpace(Issuer)
            ? problems.Append($"{ApiAuthOptions.Section}:Jwt:Authority must be set with {Section}:ClientId: the console signs in at the issuer whose tokens the APIs take")
            : problems;
    }
}

/// <summary>
/// OpenID Connect sign-in for the console, on the ASP.NET Core handler. What a session may see is
/// decided exactly as for an API call: the access token the issuer returns is validated by the JWT
/// bearer settings of the APIs (issuer, signing keys, audience, claim names kept) and its scopes are
/// read by <see cref="Scopes.Of"/>; the id_token only says who signed in.
/// </summary>
public static class ConsoleOidc
{
    public const string Scheme = "ProactiveConsoleOidc";

    public const string CallbackPath = ApiAuth.ConsolePath + "/signin-oidc";

    public const string SignedOutCallbackPath = ApiAuth.ConsolePath + "/signout-oidc";

    /// <summary>On a session signed in through the issuer (the sign-out page ends the issuer's session too).</summary>
    public const string MethodClaim = "amr_console";

    public const string Method = "oidc";

    /// <summary>The sign-in page's query when a sign-in at the issuer was refused.</summary>
    public const string RefusedQuery = "refused";

    /// <summary>
    /// Adds the scheme when Proactive:Console:Oidc:ClientId is set. The settings are checked at start:
    /// a client id without its secret, or without Proactive:Auth:Jwt:Authority, refuses the start.
    /// </summary>
    public static WebApplicationBuilder AddConsoleOidc(this WebApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<ConsoleOidcOptions>(builder.Configuration.GetSection(ConsoleOidcOptions.Section))
            .PostConfigure<IOptions<ApiAuthOptions>>((o, auth) => o.Issuer = auth.Value.Jwt.Configured ? auth.Value.Jwt.Authority ?? auth.Value.Jwt.MetadataAddress : null);
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{ConsoleOidcOptions.Section}:ClientId"]))
        {
            return builder;
        }

        builder.Services.AddAuthentication().AddOpenIdConnect(Scheme, _ => { });
        builder.Services.AddOptions<OpenIdConnectOptions>(Scheme)
            .Configure<IOptions<ConsoleOidcOptions>, IOptionsMonitor<JwtBearerOptions>>((oidc, console, jwt) => Configure(oidc, console.Value, jwt));
        return builder;
    }

    private static void Configure(OpenIdConnectOptions oidc, ConsoleOidcOptions console, IOptionsMonitor<JwtBearerOptions> jwtOptions)
    {
        var jwt = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        oidc.Authority = jwt.Authority;
        oidc.MetadataAddress = jwt.MetadataAddress;
        oidc.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        oidc.ClientId = console.ClientId;
        oidc.ClientSecret = console.ClientSecret;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.UsePkce = true;
        oidc.Scope.Clear();
        foreach (var scope in Scopes.Split(console.Scopes).Append(OpenIdConnectScope.OpenId).Distinct(StringComparer.Ordinal))
        {
            oidc.Scope.Add(scope);
        }

        oidc.SignInScheme = ApiAuth.ConsoleScheme;
        oidc.CallbackPath = CallbackPath;
        oidc.SignedOutCallbackPath = SignedOutCallbackPath;
        oidc.SignedOutRedirectUri = ConsoleExtensions.SignInPath;
        oidc.MapInboundClaims = false;
        oidc.TokenValidationParameters.NameClaimType = ApiAuth.SubjectClaim;

        // The issuer answers with a top-level GET redirect (response_mode=query), not a cross-site
        // form POST: the correlation and nonce cookies can then be SameSite=Lax (sent on that
        // navigation, never on a cross-site POST) and need no Secure flag on a plain-http loopback.
        // What the query exposes is a one-time code, useless without the PKCE verifier and secret.
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.HttpOnly = true;
        }

        // Only the id_token is kept in the session (for id_token_hint at sign-out), not the access token.
        oidc.SaveTokens = false;
        oidc.Events.OnTokenValidated = context => SessionFromTokensAsync(context, jwt);
        oidc.Events.OnRemoteFailure = Refused;
    }

    /// <summary>
    /// Replaces the id_token's identity by a console session: its subject and the access token's
    /// console scopes. Both tokens must be signed by the issuer and name the same subject.
    /// </summary>
    private static async Task SessionFromTokensAsync(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext context, JwtBearerOptions jwt)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleOidc));
        var ct = context.HttpContext.RequestAborted;
        var subject = context.Principal?.FindFirstValue(ApiAuth.SubjectClaim);
        var accessToken = context.TokenEndpointResponse?.AccessToken;
        var access = accessToken is null ? null : await ValidateAccessTokenAsync(accessToken, jwt, ct);
        var scopes = access is null ? [] : Scopes.Of(access).Where(ConsoleExtensions.ConsoleScopes.Contains).ToList();
        var why = !await IdTokenIsSignedAsync(context, ct) ? "the id_token is not signed by the issuer's keys"
            : access is null ? "the access token is missing or not one the APIs would take"
            : subject is null || !SameUser(context.Principal!, access) ? "the access token is not the signed-in user's"
            : scopes.Count == 0 ? $"the access token holds none of {string.Join(", ", ConsoleExtensions.ConsoleScopes)}"
            : null;
        if (why is not null)
        {
            context.Fail(why);
            return;
        }

        var name = context.Principal!.FindFirstValue("name") ?? context.Principal!.FindFirstValue("preferred_username") ?? subject!;
        context.Principal = ConsoleExtensions.SessionOf(subject!, scopes, name, new Claim(MethodClaim, Method));
        if (context.TokenEndpointResponse?.IdToken is { } idToken)
        {
            context.Properties!.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        }

        // The subject as a short hash: some issuers use the e-mail address or UPN as `sub`.
        var subjectHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(subject ?? "")))[..12];
        logger.LogInformation("Console sign-in of subject #{SubjectHash} through OpenID Connect, scopes {Scopes}", subjectHash, string.Join(' ', scopes));
    }

    /// <summary>The same user in both tokens: "oid" when both carry it (Microsoft Entra's "sub" differs per audience), else "sub".</summary>
    private static bool SameUser(ClaimsPrincipal idToken, ClaimsPrincipal accessToken) =>
        idToken.FindFirstValue("oid") is { } oid && accessToken.FindFirstValue("oid") is { } accessOid
            ? oid == accessOid
            : idToken.FindFirstValue(ApiAuth.SubjectClaim) == accessToken.FindFirstValue(ApiAuth.SubjectClaim);

    /// <summary>
    /// The handler takes an unsigned id_token from the token endpoint (OpenID Connect Core 3.1.3.7
    /// lets TLS stand in for the signature); the console does not: the id_token must verify against
    /// the issuer's published keys, so a token endpoint reached over plain http (a loopback issuer)
    /// or through a proxy that rewrites answers cannot slip in an identity.
    /// </summary>
    private static async Task<bool> IdTokenIsSignedAsync(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext context, CancellationToken ct)
    {
        var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken;
        if (idToken is null || context.Options.ConfigurationManager is null)
        {
            return false;
        }

        var configuration = await context.Options.ConfigurationManager.GetConfigurationAsync(ct);
        var parameters = context.Options.TokenValidationParameters.Clone();
        parameters.RequireSignedTokens = true;
        parameters.ValidateIssuerSigningKey = true;
        parameters.ValidIssuer = configuration.Issuer;
        parameters.ValidAudience = context.Options.ClientId;
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(idToken, parameters);
        return result.IsValid;
    }

    /// <summary>The access token as the JWT bearer scheme of the APIs validates it (the steps of its handler).</summary>
    private static async Task<ClaimsPrincipal?> ValidateAccessTokenAsync(string token, JwtBearerOptions jwt, CancellationToken cancellationToken)
    {
        var parameters = jwt.TokenValidationParameters.Clone();
        if (jwt.ConfigurationManager is Microsoft.IdentityModel.Tokens.BaseConfigurationManager manager)
        {
            parameters.ConfigurationManager = manager;
        }
        else if (jwt.ConfigurationManager is { } configurationManager)
        {
            var configuration = await configurationManager.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], configuration.Issuer];
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }

        foreach (var handler in jwt.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (result.IsValid)
            {
                return new ClaimsPrincipal(result.ClaimsIdentity);
            }
        }

        return null;
    }

    /// <summary>A refused sign-in (bad state, nonce, signature, no console scope) goes back to the sign-in page, saying so.</summary>
    private static Task Refused(RemoteFailureContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleOidc));
        logger.LogWarning("Console sign-in through OpenID Connect refused: {Why}", context.Failure?.Message);
        context.Response.Redirect($"{ConsoleExtensions.SignInPath}?{RefusedQuery}=true");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    /// <summary>The issuer's end_session_endpoint, or null when it offers none (or cannot be reached).</summary>
    public static async Task<string?> EndSessionEndpointAsync(HttpContext http)
    {
        var oidc = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);
        if (oidc.ConfigurationManager is null)
        {
            return null;
        }

        try
        {
            var configuration = await oidc.ConfigurationManager.GetConfigurationAsync(http.RequestAborted);
            return string.IsNullOrEmpty(configuration.EndSessionEndpoint) ? null : configuration.EndSessionEndpoint;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
