using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// 401 and 403 as problem details (the schemes' own challenge headers kept, and every accepted
/// scheme named in WWW-Authenticate); to a gRPC call, the status Unauthenticated or PermissionDenied.
/// </summary>
public sealed class AuthProblemResults(IOptions<ApiAuthOptions> options) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler schemes = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await schemes.HandleAsync(next, context, policy, authorizeResult);
        if (policy.AuthenticationSchemes.Contains(ApiAuth.ConsoleScheme))
        {
            // The console's pages: its cookie scheme redirected to the sign-in page (or to "access denied").
            return;
        }

        if (!(authorizeResult.Challenged || authorizeResult.Forbidden) || context.Response.HasStarted)
        {
            return;
        }

        var (status, title, detail) = authorizeResult.Challenged
            ? (StatusCodes.Status401Unauthorized, "Authentication required", await UnauthenticatedAsync(context))
            : (StatusCodes.Status403Forbidden, "Forbidden", Forbidden(context, policy));
        if (authorizeResult.Challenged)
        {
            NameEveryScheme(context.Response);
        }

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC answer: HTTP 200 with the status in the headers.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = (status == StatusCodes.Status401Unauthorized ? 16 : 7).ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString($"{title}: {detail}");
            return;
        }

        await Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }

    private async Task<string> UnauthenticatedAsync(HttpContext context)
    {
        // The scheme's result of this request (kept by the handler): why the credential sent, if any, was refused.
        var failure = (await context.AuthenticateAsync()).Failure;
        var how = options.Value.Jwt.Configured
            ? $"Send 'Authorization: Bearer <token>' or 'Authorization: {ApiKeyAuthenticationHandler.SchemeName} <key>'."
            : $"Send 'Authorization: {ApiKeyAuthenticationHandler.SchemeName} <key>'.";
        return failure is null ? how : $"{failure.Message} {how}";
    }

    private static string Forbidden(HttpContext context, AuthorizationPolicy policy)
    {
        var held = Scopes.Of(context.User);
        var missing = policy.Requirements.OfType<ScopeRequirement>().Select(r => r.Scope).Where(s => !held.Contains(s)).ToList();
        return missing.Count > 0 ? $"This needs the scope {string.Join(" and ", missing)}." : "This caller may not do this.";
    }

    /// <summary>The scheme that challenged wrote its own header; the client should also learn of the others.</summary>
    private void NameEveryScheme(HttpResponse response)
    {
        var accepted = options.Value.Jwt.Configured ? new[] { "Bearer", ApiKeyAuthenticationHandler.SchemeName } : [ApiKeyAuthenticationHandler.SchemeName];
        foreach (var scheme in accepted)
        {
            if (!response.Headers.WWWAuthenticate.Any(v => v is not null && v.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)))
            {
                response.Headers.Append(HeaderNames.WWWAuthenticate, scheme);
            }
        }
    }
}
