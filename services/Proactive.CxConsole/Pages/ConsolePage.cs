using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>A console page: what the signed-in key may see, and times shown in UTC.</summary>
public abstract class ConsolePage : PageModel
{
    public bool May(string scope) => Scopes.Of(User).Contains(scope);

    /// <summary>403 unless the session holds <paramref name="scope"/>; the page names the scope it lacks.</summary>
    protected IActionResult? Require(string scope)
    {
        if (May(scope))
        {
            return null;
        }

        MissingScope = scope;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }

    public string? MissingScope { get; private set; }

    public static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "–";

    public static string When(Google.Protobuf.WellKnownTypes.Timestamp? at) => at is null ? "–" : When(at.ToDateTimeOffset());

    public static string When(long? ms) => ms is { } m ? When(DateTimeOffset.FromUnixTimeMilliseconds(m)) : "–";

    public static string Percent(double? share) => share is { } s ? s.ToString("P0", CultureInfo.CurrentCulture) : "–";
}
