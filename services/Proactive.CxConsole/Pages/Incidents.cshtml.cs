using Microsoft.AspNetCore.Mvc;
using Proactive.Contracts.Notifier.V1;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>Incidents, open or recent (as GET /v1/incidents lists them), and one with its affected orders.</summary>
public sealed class IncidentsModel(ConsoleData data) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Id { get; set; }

    public ListIncidentsResponse? List { get; private set; }

    public IncidentView? Incident { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        Status = Status is "open" or "resolved" ? Status : "";
        if (!string.IsNullOrWhiteSpace(Id))
        {
            Incident = await data.IncidentAsync(Id.Trim(), ct);
            if (Incident is null)
            {
                Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }

        List = await data.IncidentsAsync(Status, ct);
        return Page();
    }
}
