using System.Security.Claims;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// What a client may do. Each is also the name of the authorization policy that requires it, so
/// an endpoint says <c>.RequireAuthorization(Scopes.OrdersRead)</c>.
/// </summary>
public static class Scopes
{
    /// <summary>POST /v1/events/{topic}.</summary>
    public const string EventsWrite = "events:write";

    /// <summary>Orders, their episodes, incidents.</summary>
    public const string OrdersRead = "orders:read";

    /// <summary>Notices and customers' replies.</summary>
    public const string NoticesRead = "notices:read";

    /// <summary>A customer's preferences: read, change, opt out, opt in.</summary>
    public const string PreferencesWrite = "preferences:write";

    /// <summary>The voice summary and the replies export.</summary>
    public const string VoiceRead = "voice:read";

    /// <summary>Parked items: list them, retry them.</summary>
    public const string QueuesManage = "queues:manage";

    /// <summary>Message templates: read, store a version, roll back, preview (a preview can show a real order's customer).</summary>
    public const string TemplatesWrite = "templates:write";

    public static readonly IReadOnlyList<string> All = [EventsWrite, OrdersRead, NoticesRead, PreferencesWrite, VoiceRead, QueuesManage, TemplatesWrite];

    /// <summary>OAuth's "scope" claim is one space-separated string; Microsoft Entra's "scp" may also be an array (one claim each).</summary>
    public static readonly IReadOnlyList<string> ClaimTypes = ["scope", "scp", "permissions"];

    /// <summary>Every scope the user holds, however the token spelled them.</summary>
    public static ISet<string> Of(ClaimsPrincipal user) =>
        user.Claims.Where(c => ClaimTypes.Contains(c.Type)).SelectMany(c => Split(c.Value)).ToHashSet(StringComparer.Ordinal);

    /// <summary>A list of scopes written in configuration or on a command line: separated by spaces or commas.</summary>
    public static IReadOnlyList<string> Split(string? scopes) =>
        (scopes ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
