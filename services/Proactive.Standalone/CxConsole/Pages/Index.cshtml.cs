using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Store;

namespace Proactive.Standalone.CxConsole.Pages;

/// <summary>"Now": the orders late or at risk, filtered, newest first, with counts and the daily trend.</summary>
public sealed class IndexModel(ConsoleData data) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Reason { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Carrier { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Region { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? PromisedFrom { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? PromisedTo { get; set; }

    /// <summary>The page after this one: the last row's "since" and id.</summary>
    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    public NowView? View { get; private set; }

    public List<string> Errors { get; } = [];

    public static readonly IReadOnlyList<string> Reasons =
        ["ETA_SLIP", "CARRIER_EXCEPTION", "DELIVERY_ATTEMPTED", "NOT_SHIPPED", "MISSED_PROMISE", "RETURNED_TO_SENDER", "STALLED", "PROMISE_AT_RISK", "PREDICTED_LATE"];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        if (State is { Length: > 0 } && State is not (WatchRows.Late or WatchRows.AtRisk))
        {
            Errors.Add($"state: must be {WatchRows.Late} or {WatchRows.AtRisk}");
            State = null;
        }

        if (Reason is { Length: > 0 } && !Reasons.Contains(Reason))
        {
            Errors.Add($"reason: '{Reason}' is not one of {string.Join(", ", Reasons)}");
            Reason = null;
        }

        if (!ModelState.IsValid)
        {
            Errors.AddRange(ModelState.Where(e => e.Value?.Errors.Count > 0).Select(e => $"{e.Key}: not a date (yyyy-mm-dd)"));
        }

        var filter = new WatchFilter(
            State, Reason, Carrier?.Trim(), Region?.Trim(),
            PromisedFrom is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            PromisedTo is { } to ? new DateTimeOffset(to.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1) : null,
            Cursor(After));
        View = await data.NowAsync(filter, ct);
        return Page();
    }

    /// <summary>The link to the next page: these filters and the cursor after <paramref name="last"/>.</summary>
    public string NextPage(WatchRow last)
    {
        var query = Request.Query.Where(q => q.Key != "After").ToDictionary(q => q.Key, q => q.Value.ToString());
        query["After"] = $"{last.Since.ToString(CultureInfo.InvariantCulture)}~{last.OrderId}";
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console", query!);
    }

    private (long, string)? Cursor(string? after)
    {
        if (string.IsNullOrEmpty(after))
        {
            return null;
        }

        var parts = after.Split('~', 2);
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var since))
        {
            return (since, parts[1]);
        }

        Errors.Add("after: not a page of this list");
        return null;
    }

    public string TrendJson() => System.Text.Json.JsonSerializer.Serialize(new
    {
        labels = View!.Trend.Select(t => t.Day.ToString("MM-dd", CultureInfo.InvariantCulture)),
        series = new[] { new { label = "", data = View.Trend.Select(t => t.Opened) } },
    });

    public static string Ms(long ms) => When(UnixTime.FromMs(ms));
}
