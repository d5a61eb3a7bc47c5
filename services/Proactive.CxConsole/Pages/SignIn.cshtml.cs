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
/// never the key — is issued.
/// </summary>
public sealed class SignInModel(IOptions<ApiAuthOptions> auth, IStringLocalizer<ConsoleText> text, ILogger<SignInModel> logger) : PageModel
{
    private static readonly string[] ConsoleScopes = [Scopes.OrdersRead, Scopes.NoticesRead, Scopes.VoiceRead];

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Key { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

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
        var scopes = name is null ? [] : auth.Value.ApiKeys[name].Scopes.Where(ConsoleScopes.Contains).ToList();
        if (name is null || scopes.Count == 0)
        {
            logger.LogWarning("Console sign-in refused: {Why}", name is null ? "unknown key" : $"key {name} holds no console scope");
            Error = text["ApiKeyUnknown"];
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(ApiAuth.ConsoleScheme, ConsoleExtensions.SessionOf(name, scopes));
        logger.LogInformation("Console sign-in of key {Name}", name);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith(ApiAuth.ConsolePath, StringComparison.Ordinal) ? ReturnUrl : ApiAuth.ConsolePath);
    }
}
