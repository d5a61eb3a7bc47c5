using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>
/// POST (with the antiforgery token): ends the session and returns to the sign-in page. A session
/// signed in at the issuer also ends the issuer's session when it offers an end_session_endpoint
/// (the issuer then sends the browser back to the sign-in page).
/// </summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect(ApiAuth.ConsolePath);

    public async Task<IActionResult> OnPostAsync()
    {
        var atIssuer = User.HasClaim(ConsoleOidc.MethodClaim, ConsoleOidc.Method)
            && HttpContext.RequestServices.GetService<IAuthenticationSchemeProvider>() is { } schemes
            && await schemes.GetSchemeAsync(ConsoleOidc.Scheme) is not null
            && await ConsoleOidc.EndSessionEndpointAsync(HttpContext) is not null;

        // The session's id_token (the issuer's id_token_hint) is read before the cookie goes: the
        // handler keeps what it authenticated for the rest of the request.
        await HttpContext.SignOutAsync(ApiAuth.ConsoleScheme);
        if (atIssuer)
        {
            return SignOut(new AuthenticationProperties { RedirectUri = ConsoleExtensions.SignInPath }, ConsoleOidc.Scheme);
        }

        return Redirect(ConsoleExtensions.SignInPath);
    }
}
