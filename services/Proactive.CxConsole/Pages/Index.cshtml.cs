using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

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

    /// <summary>The page after this one: Tracker's page token (the last row's "since" and id).</summary>
    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    public NowView? View { get; private set; }

    public List<string> Errors { get; } = [];

    public const string Late = "late";
    public const string AtRisk = "at_risk";

    public static readonly IReadOnlyList<string> Reasons =
        ["ETA_SLIP", "CARRIER_EXCEPTION", "DELIVERY_ATTEMPTED", "NOT_SHIPPED", "MISSED_PROMISE", "RETURNED_TO_SENDER", "STALLED", "PROMISE_AT_RISK", "PREDICTED_LATE"];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        if (State is { Length: > 0 } && State is not (Late or AtRisk))
        {
            Errors.Add($"state: must be {Late} or {AtRisk}");
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

        var filter = new ListWatchedOrdersRequest
        {
            State = State ?? "",
            Reason = Reason ?? "",
            Carrier = Carrier?.Trim() ?? "",
            Region = Region?.Trim() ?? "",
            PromisedFrom = PromisedFrom is { } from ? Timestamp.FromDateTimeOffset(new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
            // The day's end: the next midnight (none after the last day a date can name).
            PromisedTo = PromisedTo is { } to && to < DateOnly.MaxValue ? Timestamp.FromDateTimeOffset(new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
            PageToken = Cursor(After),
        };
        try
        {
            View = await data.NowAsync(filter, ct);
        }
        catch (RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.InvalidArgument)
        {
            // A filter Tracker refuses (a control character, a region that is no code): said, and the unfiltered list shown.
            Errors.Add(e.Status.Detail);
            View = await data.NowAsync(new ListWatchedOrdersRequest(), ct);
        }

        return Page();
    }

    /// <summary>The link to the next page: these filters and Tracker's token of the page after this one.</summary>
    public string NextPage(string token)
    {
        var query = Request.Query.Where(q => q.Key != "After").ToDictionary(q => q.Key, q => q.Value.ToString());
        query["After"] = token;
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console", query!);
    }

    /// <summary>A page token as Tracker writes them ("since~order id"), else an error and the first page.</summary>
    private string Cursor(string? after)
    {
        if (string.IsNullOrEmpty(after))
        {
            return "";
        }

        var parts = after.Split('~', 2);
        if (parts.Length == 2 && parts[1].Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return after;
        }

        Errors.Add("after: not a page of this list");
        return "";
    }

    public string TrendJson() => System.Text.Json.JsonSerializer.Serialize(new
    {
        labels = View!.Trend.Select(t => t.Day.ToString("MM-dd", CultureInfo.InvariantCulture)),
        series = new[] { new { label = "", data = View.Trend.Select(t => t.Opened) } },
    });

    public static string Probability(WatchedOrder row) => Percent(row.HasProbability ? row.Probability : null);
}
