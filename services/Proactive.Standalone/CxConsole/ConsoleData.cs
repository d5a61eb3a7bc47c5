using Grpc.Core;
using Proactive.Contracts.Notifier.V1;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Grpc;
using Proactive.Notifier.Store;
using Proactive.Notifier.Survey;
using Proactive.Notifier.Voice;
using Proactive.Tracker.Grpc;
using Proactive.Tracker.Store;

namespace Proactive.Standalone.CxConsole;

/// <summary>
/// What the console's pages show, read through the code behind the JSON APIs: the gRPC services
/// called in-process (same checks, same masking), and the stores' readers for what no API lists
/// (the "Now" list, the per-day trends, an order's survey).
/// </summary>
public sealed class ConsoleData(IServiceProvider services, TrackerStore tracker, NoticeStore notices, TimeProvider time)
{
    public const int PageSize = 50;
    public const int TrendDays = 14;

    public TimeProvider Time => time;

    /// <summary>How long the filters' choices and the trend (the same for every filter, whole-table scans) are reused.</summary>
    public static readonly TimeSpan OverviewTtl = TimeSpan.FromSeconds(30);

    private Overview? overview;

    public async Task<NowView> NowAsync(WatchFilter filter, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var known = overview is { } o && now - o.At < OverviewTtl ? o : null;
        var (page, counts, fresh) = await tracker.Database.ReadAsync(
            async c =>
            {
                var page = await WatchRows.PageAsync(c, filter, PageSize + 1);
                var counts = await WatchRows.CountAsync(c, filter with { After = null });
                if (known is not null)
                {
                    return (page, counts, known);
                }

                var (carriers, regions) = await WatchRows.ChoicesAsync(c);
                var trend = await WatchRows.OpenedPerDayAsync(c, now.AddDays(-(TrendDays - 1)), now);
                return (page, counts, new Overview(now, carriers, regions, trend));
            },
            ct);
        overview = fresh;
        return new NowView([.. page.Take(PageSize)], page.Count > PageSize ? page[PageSize - 1] : null, counts, fresh.Carriers, fresh.Regions, fresh.Trend);
    }

    private sealed record Overview(DateTimeOffset At, List<string> Carriers, List<string> Regions, List<(DateOnly Day, long Opened)> Trend);

    /// <summary>The order as GET /v1/orders/{id} shows it, or null when Tracker has no events of it.</summary>
    public async Task<OrderDetail?> OrderAsync(string orderId, bool withNotices, CancellationToken ct)
    {
        OrderView order;
        try
        {
            order = await Create<OrderTrackingService>().GetOrder(new GetOrderRequest { OrderId = orderId }, Call("GetOrder", ct));
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }

        var events = await tracker.ReadAsync(r => r.EventsAsync(orderId), ct);
        var timeline = events.Select(e => new TimelineEntry(e.OccurredAt, e.Type)).OrderBy(e => e.At).ToList();
        if (!withNotices)
        {
            return new OrderDetail(order, timeline, null, null, null);
        }

        var noticeList = await Create<NoticeLedgerService>().ListNotices(new ListNoticesRequest { OrderId = orderId }, Call("ListNotices", ct));
        var replies = await Create<ReplyService>().ListOrderReplies(new ListOrderRepliesRequest { OrderId = orderId }, Call("ListOrderReplies", ct));
        var survey = await notices.ReadAsync(r => r.Surveys.FindAsync(orderId), ct);
        return new OrderDetail(order, timeline, noticeList, replies, survey);
    }

    public Task<ListIncidentsResponse> IncidentsAsync(string status, CancellationToken ct) =>
        Create<IncidentService>().ListIncidents(new ListIncidentsRequest { Status = status, PageSize = PageSize }, Call("ListIncidents", ct));

    /// <summary>
    /// The incident as GET /v1/incidents/{id} shows it, but with one page of its affected orders (an
    /// incident can affect tens of thousands): <see cref="PageSize"/> after <paramref name="after"/>, and
    /// the cursor of the next page when there is one. Null when there is no such incident.
    /// </summary>
    public async Task<(IncidentView Incident, Proactive.Notifier.Incidents.AffectedOrderCursor? Next)?> IncidentAsync(string incidentId, Proactive.Notifier.Incidents.AffectedOrderCursor? after, CancellationToken ct)
    {
        if (incidentId.Length > 64 || incidentId.Any(char.IsControl))
        {
            return null;
        }

        var view = await Create<IncidentService>().FindAsync(incidentId, after, PageSize + 1, ct);
        if (view is null)
        {
            return null;
        }

        Proactive.Notifier.Incidents.AffectedOrderCursor? next = null;
        if (view.AffectedOrders.Count > PageSize)
        {
            view.AffectedOrders.RemoveAt(PageSize);
            var last = view.AffectedOrders[PageSize - 1];
            next = new Proactive.Notifier.Incidents.AffectedOrderCursor(last.SeenAt.ToDateTimeOffset(), last.EpisodeId);
        }

        return (view, next);
    }

    /// <summary>The voice summary of the last <see cref="TrendDays"/> days, and its topics per day.</summary>
    public async Task<VoiceView> VoiceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-(TrendDays - 1));
        var summary = await Create<VoiceService>().GetVoiceSummary(
            new VoiceSummaryRequest { From = start.ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture) },
            Call("GetVoiceSummary", ct));
        var days = await notices.ReadAsync(
            async r =>
            {
                var perDay = new List<(DateOnly Day, List<VoiceTally> Topics)>();
                for (var day = start; day <= now; day = day.AddDays(1))
                {
                    perDay.Add((DateOnly.FromDateTime(day.UtcDateTime), await r.Voice.TallyAsync(VoiceDimension.Topics, day, day.AddDays(1))));
                }

                return perDay;
            },
            ct);
        // Topics are stored space-separated, one tally row per combination: an item counts once under each of its topics.
        static IEnumerable<string> Split(string? topics) => (topics ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } each ? each : ["other"];
        var topics = days.SelectMany(d => d.Topics).SelectMany(t => Split(t.Value)).Distinct().Order(StringComparer.Ordinal).ToList();
        var series = topics.ToDictionary(
            t => t,
            t => days.Select(d => d.Topics.Where(x => Split(x.Value).Contains(t)).Sum(x => x.Count)).ToList());
        return new VoiceView(summary, [.. days.Select(d => d.Day)], series);
    }

    private T Create<T>() => ActivatorUtilities.CreateInstance<T>(services);

    private static ConsoleCallContext Call(string method, CancellationToken ct) => new(method, ct);
}

public sealed record NowView(
    List<WatchRow> Orders, WatchRow? Last, WatchCounts Counts, List<string> Carriers, List<string> Regions, List<(DateOnly Day, long Opened)> Trend);

public sealed record TimelineEntry(DateTimeOffset At, string Type);

public sealed record OrderDetail(OrderView Order, List<TimelineEntry> Timeline, ListNoticesResponse? Notices, ListRepliesResponse? Replies, SurveyRecord? Survey);

public sealed record VoiceView(VoiceSummary Summary, List<DateOnly> Days, Dictionary<string, List<long>> TopicsPerDay);
