using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;
using Proactive.CxConsole.Backtest;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole;

/// <summary>
/// The CX console: server-rendered Razor Pages under /console, signed in with an API key exchanged
/// for a session cookie, or at the OpenID Connect issuer of the APIs (<see cref="ConsoleOidc"/>).
/// Every page but the sign-in page needs the cookie, in every auth mode (the demo's APIs are open;
/// its console is not). The sign-in's scopes decide what is shown. The host registers an
/// <see cref="ITrackerView"/> and an <see cref="INotifierView"/>.
/// </summary>
public static class ConsoleExtensions
{
    /// <summary>The policy of every console page: a console session.</summary>
    public const string Policy = "console";

    public const string SignInPath = ApiAuth.ConsolePath + "/sign-in";

    public const string AssetsPath = ApiAuth.ConsolePath + "/assets";

    public static readonly CultureInfo[] Cultures = [new("en"), new("ko")];

    /// <summary>The scopes that open a console section; a session holds only these.</summary>
    public static readonly IReadOnlyList<string> ConsoleScopes = [Scopes.OrdersRead, Scopes.NoticesRead, Scopes.VoiceRead];

    public static WebApplicationBuilder AddCxConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Pages";
            o.Conventions.AuthorizeFolder("/", Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
        });
        builder.Services.AddLocalization();
        builder.Services.AddSingleton<ConsoleSchemeAdded>();
        ConsoleKeyRing.AddTo(builder.Services);
        builder.Services.AddSingleton<ConsoleData>();
        builder.Services.AddSingleton<ReplayReports>();
        builder.Services.AddSingleton(new ConsoleLink(ApiAuth.ConsolePath + "/backtest", "NavBacktest", Scopes.OrdersRead));
        builder.Services.AddAuthentication().AddCookie(ApiAuth.ConsoleScheme, o =>
        {
            o.Cookie.Name = "proactive-console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = ApiAuth.ConsolePath;
            o.LoginPath = SignInPath;
            o.LogoutPath = ApiAuth.ConsolePath + "/sign-out";
            o.AccessDeniedPath = SignInPath;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;

            // A session born at the issuer is set at the end of a redirect chain that began on
            // another site: a Strict cookie would not be sent on its last hop to /console (and the
            // sign-in would loop). Lax still keeps it off cross-site POSTs; pages are read-only.
            o.Events.OnSigningIn = context =>
            {
                if (context.Principal?.HasClaim(ConsoleOidc.MethodClaim, ConsoleOidc.Method) == true)
                {
                    context.CookieOptions.SameSite = SameSiteMode.Lax;
                }

                return Task.CompletedTask;
            };
        });
        builder.AddConsoleOidc();
        builder.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.AddAuthenticationSchemes(ApiAuth.ConsoleScheme).RequireAuthenticatedUser()));
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = o.SupportedUICultures = Cultures;
            o.FallBackToParentUICultures = true;
            o.FallBackToParentCultures = true;
        });
        return builder;
    }

    /// <summary>
    /// The console's own files (styles, scripts, the vendored Chart.js), copied beside the assembly:
    /// served before authentication, as the sign-in page needs them; they hold no data.
    /// </summary>
    public static WebApplication UseCxConsoleAssets(this WebApplication app)
    {
        var assets = Path.Combine(AppContext.BaseDirectory, "CxConsole", "Assets");
        app.UseStaticFiles(new StaticFileOptions { RequestPath = AssetsPath, FileProvider = new PhysicalFileProvider(assets) });
        return app;
    }

    public static WebApplication MapCxConsole(this WebApplication app)
    {
        app.UseWhen(
            http => http.Request.Path.StartsWithSegments(ApiAuth.ConsolePath),
            console => console.UseRequestLocalization().Use(RememberLanguage));
        app.MapRazorPages();
        return app;
    }

    /// <summary>The language switch: "?lang=ko" or "?lang=en" is kept in a cookie for the next pages.</summary>
    private static Task RememberLanguage(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Query["lang"].ToString() is { Length: > 0 } lang && Cultures.Any(c => c.Name == lang))
        {
            var culture = new CultureInfo(lang);
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
            http.Features.Set<IRequestCultureFeature>(new RequestCultureFeature(new RequestCulture(culture), null));
            http.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Path = ApiAuth.ConsolePath, SameSite = SameSiteMode.Strict, HttpOnly = true, IsEssential = true, MaxAge = TimeSpan.FromDays(365) });
        }

        return next(http);
    }

    /// <summary>The console session of an API key's holder (its name and scopes, never the key) or of a user signed in at the issuer.</summary>
    public static ClaimsPrincipal SessionOf(string subject, IEnumerable<string> scopes, string? displayName = null, params Claim[] more)
    {
        var claims = new List<Claim> { new(ApiAuth.SubjectClaim, subject), new(DisplayNameClaim, displayName ?? subject) };
        claims.AddRange(scopes.Select(s => new Claim(Scopes.ClaimTypes[0], s)));
        claims.AddRange(more);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiAuth.ConsoleScheme, DisplayNameClaim, null));
    }

    /// <summary>What the header says the session is signed in as.</summary>
    public const string DisplayNameClaim = "name";
}
