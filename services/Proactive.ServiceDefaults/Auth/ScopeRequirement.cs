using Microsoft.AspNetCore.Authorization;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>The caller holds <see cref="Scope"/> (from a token's scope/scp claim or an API key's configured scopes).</summary>
public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (Scopes.Of(context.User).Contains(requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
