using Proactive.Contracts.Notifier.V1;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.CxConsole;

/// <summary>
/// What the console reads of Tracker: its gRPC API (proactive.tracker.v1.OrderTracking), called
/// in-process by the standalone host and over gRPC by Notifier in the Dapr hosting. Errors are
/// the API's: RpcException NotFound, InvalidArgument, and so on.
/// </summary>
public interface ITrackerView
{
    Task<OrderView> GetOrderAsync(GetOrderRequest request, CancellationToken ct);

    Task<ListOrderEventsResponse> ListOrderEventsAsync(ListOrderEventsRequest request, CancellationToken ct);

    Task<ListWatchedOrdersResponse> ListWatchedOrdersAsync(ListWatchedOrdersRequest request, CancellationToken ct);
}

/// <summary>What the console reads of Notifier, in the process that hosts Notifier (standalone or Notifier itself).</summary>
public interface INotifierView
{
    Task<ListNoticesResponse> ListNoticesAsync(string orderId, CancellationToken ct);

    Task<ListRepliesResponse> ListOrderRepliesAsync(string orderId, CancellationToken ct);

    /// <summary>The survey asked of the order, or null when none was.</summary>
    Task<OrderSurvey?> SurveyAsync(string orderId, CancellationToken ct);

    Task<ListIncidentsResponse> ListIncidentsAsync(ListIncidentsRequest request, CancellationToken ct);

    /// <summary>
    /// The incident as GET /v1/incidents/{id} shows it but with at most <paramref name="limit"/> of its
    /// affected orders after <paramref name="after"/> (an incident can affect tens of thousands); null
    /// when there is no such incident.
    /// </summary>
    Task<IncidentView?> FindIncidentAsync(string incidentId, AffectedOrderCursor? after, int limit, CancellationToken ct);

    Task<VoiceSummary> GetVoiceSummaryAsync(VoiceSummaryRequest request, CancellationToken ct);

    /// <summary>The replies' topic tallies of each UTC day from <paramref name="from"/> to <paramref name="to"/>.</summary>
    Task<List<(DateOnly Day, List<TopicTally> Topics)>> TopicsPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

/// <summary>Where a page of an incident's affected orders ends: the last one's instant and episode.</summary>
public sealed record AffectedOrderCursor(DateTimeOffset SeenAt, string EpisodeId);

/// <summary>An order's survey: its score (null until answered) and its CSAT cohort.</summary>
public sealed record OrderSurvey(int? Score, string Cohort);

/// <summary>How many replies of a day carry this combination of topics (space-separated; null: none).</summary>
public sealed record TopicTally(string? Topics, long Count);

/// <summary>A link added to the console's menu after Now and Incidents (Backtest, added by <see cref="ConsoleExtensions.AddCxConsole"/>; a host may add its own), shown to sessions holding <see cref="Scope"/>.</summary>
public sealed record ConsoleLink(string Path, string TextKey, string Scope);
