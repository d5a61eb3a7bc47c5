using System.Globalization;
using Grpc.Core;
using Proactive.Contracts.Notifier.V1;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.CxConsole;

/// <summary>
/// What the console's pages show, read through the APIs: Tracker's (the "Now" list, an order and
/// its events) through <see cref="ITrackerView"/>, Notifier's (notices, replies, incidents, voice)
/// through <see cref="INotifierView"/>. Same checks, same masking as the JSON APIs.
/// </summary>
public sealed class ConsoleData(ITrackerView tracker, INotifierView notifier, TimeProvider time)
{
    public const int PageSize = 50;
    public const int TrendDays = 14;

    public TimeProvider Time => time;

    /// <summary>How long the filters' choices and the trend (the same for every filter, whole-table scans) are reused.</summary>
    public static readonly TimeSpan OverviewTtl = TimeSpan.FromSeconds(30);

    private Overview? overview;

    /// <summary>A page of the "Now" list; <paramref name="filter"/>'s paging and overview fields are set here.</summary>
    public async Task<NowView> NowAsync(ListWatchedOrdersRequest filter, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var known = overview is { } o && now - o.At < OverviewTtl ? o : null;
        var request = filter.Clone();
        request.PageSize = PageSize;
        request.IncludeOverview = known is null;
        request.TrendDays = TrendDays;
        var page = await tracker.ListWatchedOrdersAsync(request, ct);
        var fresh = known ?? new Overview(
            now,
            [.. page.Carriers],
            [.. page.Regions],
            [.. page.OpenedPerDay.Select(d => (DateOnly.ParseExact(d.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), d.Count))]);
        overview = fresh;
        return new NowView([.. page.Orders], page.NextPageToken, page.Late, page.AtRisk, [.. page.ByReason], fresh.Carriers, fresh.Regions, fresh.Trend);
    }

    private sealed record Overview(DateTimeOffset At, List<string> Carriers, List<string> Regions, List<(DateOnly Day, long Opened)> Trend);

    /// <summary>The order as GET /v1/orders/{id} shows it, or null when Tracker has no events of it.</summary>
    public async Task<OrderDetail?> OrderAsync(string orderId, bool withNotices, CancellationToken ct)
    {
        OrderView order;
        ListOrderEventsResponse events;
        try
        {
            order = await tracker.GetOrderAsync(new GetOrderRequest { OrderId = orderId }, ct);
            events = await tracker.ListOrderEventsAsync(new ListOrderEventsRequest { OrderId = orderId }, ct);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }

        var timeline = events.Events.Select(e => new TimelineEntry(e.OccurredAt.ToDateTimeOffset(), e.Type)).OrderBy(e => e.At).ToList();
        if (!withNotices)
        {
            return new OrderDetail(order, timeline, null, null, null);
        }

        var notices = await notifier.ListNoticesAsync(orderId, ct);
        var replies = await notifier.ListOrderRepliesAsync(orderId, ct);
        var survey = await notifier.SurveyAsync(orderId, ct);
        return new OrderDetail(order, timeline, notices, replies, survey);
    }

    public Task<ListIncidentsResponse> IncidentsAsync(string status, CancellationToken ct) =>
        notifier.ListIncidentsAsync(new ListIncidentsRequest { Status = status, PageSize = PageSize }, ct);

    /// <summary>
    /// The incident with one page of its affected orders: <see cref="PageSize"/> after
    /// <paramref name="after"/>, and the cursor of the next page when there is one. Null when there
    /// is no such incident (or the id could not be one).
    /// </summary>
    public async Task<(IncidentView Incident, AffectedOrderCursor? Next)?> IncidentAsync(string incidentId, AffectedOrderCursor? after, CancellationToken ct)
    {
        if (incidentId.Length > 64 || incidentId.Any(char.IsControl))
        {
            return null;
        }

        if (await notifier.FindIncidentAsync(incidentId, after, PageSize + 1, ct) is not { } view)
        {
            return null;
        }

        AffectedOrderCursor? next = null;
        if (view.AffectedOrders.Count > PageSize)
        {
            view.AffectedOrders.RemoveAt(PageSize);
            var last = view.AffectedOrders[PageSize - 1];
            next = new AffectedOrderCursor(last.SeenAt.ToDateTimeOffset(), last.EpisodeId);
        }

        return (view, next);
    }

    /// <summary>The voice summary of the last <see cref="TrendDays"/> days, and its topics per day.</summary>
    public async Task<VoiceView> VoiceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-(TrendDays - 1));
        var summary = await notifier.GetVoiceSummaryAsync(
            new VoiceSummaryRequest { From = start.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) }, ct);
        var days = await notifier.TopicsPerDayAsync(start, now, ct);

        // Topics are stored space-separated, one tally row per combination: an item counts once under each of its topics.
        static IEnumerable<string> Split(string? topics) => (topics ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } each ? each : ["other"];
        var topics = days.SelectMany(d => d.Topics).SelectMany(t => Split(t.Topics)).Distinct().Order(StringComparer.Ordinal).ToList();
        var series = topics.ToDictionary(
            t => t,
            t => days.Select(d => d.Topics.Where(x => Split(x.Topics).Contains(t)).Sum(x => x.Count)).ToList());
        return new VoiceView(summary, [.. days.Select(d => d.Day)], series);
    }
}

public sealed record NowView(
    List<WatchedOrder> Orders, string NextPageToken, long Late, long AtRisk, List<ReasonCount> ByReason, List<string> Carriers, List<string> Regions, List<(DateOnly Day, long Opened)> Trend);

public sealed record TimelineEntry(DateTimeOffset At, string Type);

public sealed record OrderDetail(OrderView Order, List<TimelineEntry> Timeline, ListNoticesResponse? Notices, ListRepliesResponse? Replies, OrderSurvey? Survey);

public sealed record VoiceView(VoiceSummary Summary, List<DateOnly> Days, Dictionary<string, List<long>> TopicsPerDay);
