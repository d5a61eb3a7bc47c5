using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>
/// The only page served without a session: an API key (POSTed with the antiforgery token) is
/// looked up like the APIs look it up, and a session cookie carrying the key's name and scopes —
/// never the key — is issued. With an OpenID Connect client configured it also offers "Sign in
/// with {issuer}" (a POST too, so no other site can start a sign-in in the user's name).
/// </summary>
public sealed class SignInModel(IOptions<ApiAuthOptions> auth, IOptions<ConsoleOidcOptions> oidc, IStringLocalizer<ConsoleText> text, ILogger<SignInModel> logger) : PageModel
{
    /// <summary>"Sign in with …", or null without an OpenID Connect client.</summary>
    public string? Issuer => oidc.Value.Configured ? oidc.Value.Label : null;

    /// <summary>The API-key form: shown when keys are configured, or when there is no other way in.</summary>
    public bool KeyForm => auth.Value.ApiKeys.Count > 0 || !oidc.Value.Configured;

    [BindProperty(SupportsGet = true, Name = ConsoleOidc.RefusedQuery)]
    public bool Refused { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Key { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
        if (Refused)
        {
            Error = text["IssuerRefused", Issuer ?? ""];
        }
    }

    /// <summary>Starts the authorization code flow at the issuer; it comes back to /console/signin-oidc.</summary>
    public IActionResult OnPostIssuer() =>
        oidc.Value.Configured
            ? Challenge(new AuthenticationProperties { RedirectUri = Return() }, ConsoleOidc.Scheme)
            : NotFound();

    private string Return() => Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith(ApiAuth.ConsolePath, StringComparison.Ordinal) ? ReturnUrl : ApiAuth.ConsolePath;

    public async Task<IActionResult> OnPostAsync()
    {
        var key = Key?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            Error = text["ApiKeyRequired"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var name = ApiKey.Find(key, auth.Value.ApiKeys);
        var scopes = name is null ? [] : auth.Value.ApiKeys[name].Scopes.Where(ConsoleExtensions.ConsoleScopes.Contains).ToList();
        if (name is null || scopes.Count == 0)
        {
            logger.LogWarning("Console sign-in refused: {Why}", name is null ? "unknown key" : $"key {name} holds no console scope");
            Error = text["ApiKeyUnknown"];
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(ApiAuth.ConsoleScheme, ConsoleExtensions.SessionOf(name, scopes));
        logger.LogInformation("Console sign-in of key {Name}", name);
        return LocalRedirect(Return());
    }
}
