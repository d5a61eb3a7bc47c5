using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Proactive.Contracts.Notifier.V1;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>Incidents, open or recent (as GET /v1/incidents lists them), and one with its affected orders, a page at a time.</summary>
public sealed class IncidentsModel(ConsoleData data) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Id { get; set; }

    public ListIncidentsResponse? List { get; private set; }

    /// <summary>The affected orders' page: after this cursor ("{seen at, Unix ms}~{episode id}"), none for the first.</summary>
    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    public IncidentView? Incident { get; private set; }

    /// <summary>The link to the next page of affected orders, when there is one.</summary>
    public string? NextOrders { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        Status = Status is "open" or "resolved" ? Status : "";
        if (!string.IsNullOrWhiteSpace(Id))
        {
            var id = Id.Trim();
            var found = await data.IncidentAsync(id, Cursor(After), ct);
            Incident = found?.Incident;
            if (found?.Next is { } next)
            {
                NextOrders = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
                    "/console/incidents",
                    new Dictionary<string, string?> { ["id"] = id, ["after"] = $"{next.SeenAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}~{next.EpisodeId}" });
            }

            if (Incident is null)
            {
                Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }

        List = await data.IncidentsAsync(Status, ct);
        return Page();
    }

    /// <summary>The cursor in "after"; a malformed one shows the first page.</summary>
    private static AffectedOrderCursor? Cursor(string? after) =>
        after?.Split('~', 2) is [var at, var episode] && episode.Length is > 0 and <= 256 && !episode.Any(char.IsControl)
            && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? new AffectedOrderCursor(DateTimeOffset.FromUnixTimeMilliseconds(ms), episode)
            : null;
}
