using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// "Authorization: ApiKey {key}" (or "Bearer pak_…", or "X-Api-Key: {key}"): the key's SHA-256 is looked up among Proactive:Auth:ApiKeys; the
/// caller is the key's name, with its scopes. The key itself is never logged nor kept.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<ApiAuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (KeyOf(Request) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (ApiKey.Find(key, auth.Value.ApiKeys) is not { } name)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not known."));
        }

        var claims = new List<Claim> { new(ApiAuth.SubjectClaim, name) };
        claims.AddRange(auth.Value.ApiKeys[name].Scopes.Select(s => new Claim(Scopes.ClaimTypes[0], s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ApiAuth.SubjectClaim, null));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>
    /// The key as sent: "Authorization: ApiKey {key}", "Authorization: Bearer pak_…" (clients that
    /// only speak bearer), or the "X-Api-Key" header.
    /// </summary>
    internal static string? KeyOf(HttpRequest request) =>
        ApiAuth.Credential(request, SchemeName)
        ?? (ApiAuth.Credential(request, "Bearer") is { } bearer && ApiKey.LooksLikeKey(bearer) ? bearer : null)
        ?? (request.Headers[HeaderName].ToString().Trim() is { Length: > 0 } header ? header : null);

    public const string HeaderName = "X-Api-Key";

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, SchemeName);
        return Task.CompletedTask;
    }
}
