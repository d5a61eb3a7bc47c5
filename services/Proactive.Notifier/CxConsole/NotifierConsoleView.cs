using Microsoft.Extensions.DependencyInjection;
using Proactive.Contracts.Notifier.V1;
using Proactive.CxConsole;
using Proactive.Notifier.Grpc;
using Proactive.Notifier.Store;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.CxConsole;

/// <summary>
/// The console's reads of Notifier, in the process that hosts it: the gRPC services called
/// in-process (same checks, same masking as the APIs), and the store for what no API lists (an
/// order's survey, the topics per day).
/// </summary>
public sealed class NotifierConsoleView(IServiceProvider services, NoticeStore notices) : INotifierView
{
    public Task<ListNoticesResponse> ListNoticesAsync(string orderId, CancellationToken ct) =>
        Create<NoticeLedgerService>().ListNotices(new ListNoticesRequest { OrderId = orderId }, new InProcessCall("ListNotices", ct));

    public Task<ListRepliesResponse> ListOrderRepliesAsync(string orderId, CancellationToken ct) =>
        Create<ReplyService>().ListOrderReplies(new ListOrderRepliesRequest { OrderId = orderId }, new InProcessCall("ListOrderReplies", ct));

    public async Task<OrderSurvey?> SurveyAsync(string orderId, CancellationToken ct) =>
        await notices.ReadAsync(r => r.Surveys.FindAsync(orderId), ct) is { } survey ? new OrderSurvey(survey.Score, survey.Cohort) : null;

    public Task<ListIncidentsResponse> ListIncidentsAsync(ListIncidentsRequest request, CancellationToken ct) =>
        Create<IncidentService>().ListIncidents(request, new InProcessCall("ListIncidents", ct));

    public Task<IncidentView?> FindIncidentAsync(string incidentId, AffectedOrderCursor? after, int limit, CancellationToken ct) =>
        Create<IncidentService>().FindAsync(incidentId, after is null ? null : new Incidents.AffectedOrderCursor(after.SeenAt, after.EpisodeId), limit, ct);

    public Task<VoiceSummary> GetVoiceSummaryAsync(VoiceSummaryRequest request, CancellationToken ct) =>
        Create<VoiceService>().GetVoiceSummary(request, new InProcessCall("GetVoiceSummary", ct));

    public Task<List<(DateOnly Day, List<TopicTally> Topics)>> TopicsPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        notices.ReadAsync(
            async r =>
            {
                var perDay = new List<(DateOnly Day, List<TopicTally> Topics)>();
                for (var day = from; day <= to; day = day.AddDays(1))
                {
                    var tallies = await r.Voice.TallyAsync(VoiceDimension.Topics, day, day.AddDays(1));
                    perDay.Add((DateOnly.FromDateTime(day.UtcDateTime), [.. tallies.Select(t => new TopicTally(t.Value, t.Count))]));
                }

                return perDay;
            },
            ct);

    private T Create<T>() => ActivatorUtilities.CreateInstance<T>(services);
}
