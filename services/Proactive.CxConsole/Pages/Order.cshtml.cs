using Microsoft.AspNetCore.Mvc;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>
/// One order: its events, shipments, delay episodes and prediction (orders:read), and with
/// notices:read every notice with its status, why, attempts and receipts, the customer's replies
/// and survey score. Recipients and senders are masked as the APIs mask them.
/// </summary>
public sealed class OrderModel(ConsoleData data) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? Id { get; set; }

    public OrderDetail? Detail { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        if (!string.IsNullOrWhiteSpace(Id))
        {
            Detail = await data.OrderAsync(Id.Trim(), May(Scopes.NoticesRead), ct);
        }

        if (Detail is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }
}
