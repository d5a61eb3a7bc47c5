using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>POST (with the antiforgery token): ends the session and returns to the sign-in page.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect(ApiAuth.ConsolePath);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ApiAuth.ConsoleScheme);
        return Redirect(ConsoleExtensions.SignInPath);
    }
}
