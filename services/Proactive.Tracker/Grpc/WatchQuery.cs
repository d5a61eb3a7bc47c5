using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Events;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Grpc;

/// <summary>
/// A ListWatchedOrders request read into <see cref="WatchRows"/>' filter (pure): each bad field is
/// a problem naming it, and the page token is the last row's "since~order_id".
/// </summary>
public sealed record WatchQuery(WatchFilter Filter, int PageSize, int TrendDays, IReadOnlyList<string> Problems)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int DefaultTrendDays = 14;
    public const int MaxTrendDays = 90;

    /// <summary>The reasons the list can hold, as it spells them.</summary>
    public static readonly IReadOnlyList<string> Reasons = [.. System.Enum.GetValues<Rules.DelayReason>().Select(Names.Of)];

    public static WatchQuery Parse(ListWatchedOrdersRequest request)
    {
        var problems = new List<string>();
        if (request.State is { Length: > 0 } state && state is not (WatchRows.Late or WatchRows.AtRisk))
        {
            problems.Add($"state: must be {WatchRows.Late} or {WatchRows.AtRisk}");
        }

        if (request.Reason is { Length: > 0 } reason && !Reasons.Contains(reason))
        {
            problems.Add($"reason: not one of {string.Join(", ", Reasons)}");
        }

        if (request.PageSize is < 0 or > MaxPageSize)
        {
            problems.Add($"page_size: must be 1 to {MaxPageSize} (0: {DefaultPageSize})");
        }

        if (request.TrendDays is < 0 or > MaxTrendDays)
        {
            problems.Add($"trend_days: must be 1 to {MaxTrendDays} (0: {DefaultTrendDays})");
        }

        // What the store holds passed the event contract: a value it could never hold is refused by
        // the same rules (a NUL, say, would otherwise reach PostgreSQL and fail the call).
        var carrier = request.Carrier.Trim();
        if (carrier.Length > ContractLimits.MaxLength["carrier"] || ContractLimits.TextFault(carrier) is not null)
        {
            problems.Add($"carrier: at most {ContractLimits.MaxLength["carrier"]} characters, no control characters");
        }

        var region = request.Region.Trim();
        if (region.Length > 0 && !ContractLimits.IsSafeCode(region))
        {
            problems.Add($"region: a code of at most {ContractLimits.MaxCodeLength} letters, digits, '-', '_', '.'");
        }

        var promisedFrom = Instant(request.PromisedFrom, "promised_from", problems);
        var promisedTo = Instant(request.PromisedTo, "promised_to", problems);
        (long, string)? after = null;
        if (request.PageToken is { Length: > 0 } token)
        {
            after = ParseToken(token);
            if (after is null)
            {
                problems.Add("page_token: not a page of this list");
            }
        }

        var filter = new WatchFilter(
            Empty(request.State), Empty(request.Reason), Empty(carrier), Empty(region), promisedFrom, promisedTo, after);
        return new WatchQuery(
            filter,
            request.PageSize is > 0 and <= MaxPageSize ? request.PageSize : DefaultPageSize,
            request.TrendDays is > 0 and <= MaxTrendDays ? request.TrendDays : DefaultTrendDays,
            problems);
    }

    /// <summary>The token of the page after <paramref name="last"/>.</summary>
    public static string TokenAfter(WatchRow last) => $"{last.Since.ToString(CultureInfo.InvariantCulture)}~{last.OrderId}";

    /// <summary>
    /// The answer from a page read one row longer than <paramref name="pageSize"/> (the extra row
    /// says whether a next page exists), the counts, and the overview when it was read.
    /// </summary>
    public static ListWatchedOrdersResponse Response(
        IReadOnlyList<WatchRow> page, int pageSize, WatchCounts counts, (List<string> Carriers, List<string> Regions)? choices, List<(DateOnly Day, long Opened)>? trend)
    {
        var response = new ListWatchedOrdersResponse
        {
            Late = counts.Late,
            AtRisk = counts.AtRisk,
            NextPageToken = page.Count > pageSize ? TokenAfter(page[pageSize - 1]) : "",
        };
        response.Orders.AddRange(page.Take(pageSize).Select(ToView));
        response.ByReason.AddRange(counts.ByReason.Select(r => new ReasonCount { Reason = r.Reason, Orders = r.Orders }));
        if (choices is { } c)
        {
            response.Carriers.AddRange(c.Carriers);
            response.Regions.AddRange(c.Regions);
        }

        response.OpenedPerDay.AddRange((trend ?? []).Select(t => new DayCount { Day = t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Count = t.Opened }));
        return response;
    }

    private static WatchedOrder ToView(WatchRow row)
    {
        var view = new WatchedOrder
        {
            OrderId = row.OrderId,
            State = row.State,
            Reason = row.Reason,
            Carrier = row.Carrier ?? "",
            Region = row.Region ?? "",
            PromisedBy = Ms(row.PromisedBy),
            EstimatedDeliveryAt = Ms(row.EstimatedDeliveryAt),
            Since = Ms(row.Since),
        };
        if (row.Probability is { } p)
        {
            view.Probability = p;
        }

        return view;
    }

    private static Timestamp? Ms(long? ms) => ms is { } m ? Timestamp.FromDateTimeOffset(UnixTime.FromMs(m)) : null;

    private static (long, string)? ParseToken(string token)
    {
        var parts = token.Split('~', 2);
        return parts.Length == 2 && ContractLimits.IsSafeId(parts[1]) && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var since)
            ? (since, parts[1])
            : null;
    }

    /// <summary>A timestamp filter, or null; one outside what a Timestamp may hold is a problem named by its field.</summary>
    private static DateTimeOffset? Instant(Timestamp? value, string field, List<string> problems)
    {
        if (value is null)
        {
            return null;
        }

        // Timestamp's own range: 0001-01-01 to 9999-12-31, nanos within a second.
        if (value.Seconds is < -62135596800 or > 253402300799 || value.Nanos is < 0 or > 999_999_999)
        {
            problems.Add($"{field}: not a valid timestamp (0001-01-01 to 9999-12-31)");
            return null;
        }

        return value.ToDateTimeOffset();
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
