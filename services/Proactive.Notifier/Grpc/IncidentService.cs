using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proactive.Contracts.Notifier.V1;
using Proactive.Notifier.Incidents;
using Proactive.Notifier.Store;
using Incident = Proactive.Notifier.Incidents.Incident;

namespace Proactive.Notifier.Grpc;

/// <summary>
/// GET /v1/incidents?status=open|resolved and GET /v1/incidents/{incidentId}: incidents with their
/// dimensions, counts, alerts and (one at a time) affected orders. Bad input is refused with
/// InvalidArgument (400 over JSON) naming the field; an unknown id is NotFound.
/// </summary>
public sealed class IncidentService(NoticeStore store) : Contracts.Notifier.V1.Incidents.IncidentsBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    private const int MaxIdChars = 64;

    public override async Task<ListIncidentsResponse> ListIncidents(ListIncidentsRequest request, ServerCallContext context)
    {
        var errors = new List<string>();
        bool? open = request.Status.Trim().ToLowerInvariant() switch
        {
            "" => null,
            "open" => true,
            "resolved" => false,
            _ => Error<bool?>(errors, "status: must be open, resolved or empty"),
        };
        var size = request.PageSize switch
        {
            0 => DefaultPageSize,
            >= 1 and <= MaxPageSize => request.PageSize,
            _ => Error<int>(errors, $"page_size: must be between 1 and {MaxPageSize}"),
        };
        var after = Cursor(request.PageToken, errors);
        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)));
        }

        // One more than asked tells whether another page follows.
        var (incidents, alerts, causes) = await store.ReadAsync(
            async r =>
            {
                var page = await r.Incidents.PageAsync(open, after, size + 1);
                var ids = page.Take(size).Select(i => i.IncidentId).ToList();
                return (page, await r.Incidents.AlertsAsync(ids), await r.Incidents.CausesAsync(ids));
            },
            context.CancellationToken);
        var response = new ListIncidentsResponse();
        response.Incidents.AddRange(incidents.Take(size).Select(i => ToView(i, alerts, causes)));
        if (incidents.Count > size)
        {
            response.NextPageToken = Token(incidents[size - 1]);
        }

        return response;
    }

    public override async Task<IncidentView> GetIncident(GetIncidentRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.IncidentId) || !IsId(request.IncidentId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "incident_id: required, at most 64 characters without control characters"));
        }

        return await FindAsync(request.IncidentId, null, null, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"incident_id: no incident {request.IncidentId}"));
    }

    /// <summary>
    /// The incident with its affected orders — all of them, or (the console's pages) at most
    /// <paramref name="limit"/> after <paramref name="after"/>; null when there is no such incident.
    /// </summary>
    public async Task<IncidentView?> FindAsync(string incidentId, AffectedOrderCursor? after, int? limit, CancellationToken ct)
    {
        var (incident, alerts, causes, orders) = await store.ReadAsync(
            async r => (await r.Incidents.FindAsync(incidentId), await r.Incidents.AlertsAsync([incidentId]),
                await r.Incidents.CausesAsync([incidentId]), await r.Incidents.OrdersAsync(incidentId, after, limit)),
            ct);
        if (incident is null)
        {
            return null;
        }

        var view = ToView(incident, alerts, causes);
        view.AffectedOrders.AddRange(orders.Select(o => new Contracts.Notifier.V1.AffectedOrder
        {
            OrderId = o.OrderId,
            EpisodeId = o.EpisodeId,
            Reason = o.Reason,
            ExceptionCode = o.ExceptionCode ?? "",
            Lane = o.Lane ?? "",
            SeenAt = Timestamp.FromDateTimeOffset(o.SeenAt),
        }));
        return view;
    }

    /// <summary>The page token after <paramref name="last"/>: opaque to callers, its position to us.</summary>
    public static string Token(Incident last) =>
        PageToken.For(last.OpenedAt, last.IncidentId);

    private static IncidentCursor? Cursor(string token, List<string> errors) =>
        PageToken.Read(token, MaxIdChars, errors) is { } at ? new IncidentCursor(at.At, at.Id) : null;

    /// <summary>Could be one of our incident ids: PostgreSQL refuses NUL and we compare nothing longer.</summary>
    private static bool IsId(ReadOnlySpan<char> id) => id.Length <= MaxIdChars && !id.ContainsAnyInRange('\0', '\u001f') && !id.Contains('\u007f');

    private static T Error<T>(List<string> errors, string error)
    {
        errors.Add(error);
        return default!;
    }

    private static IncidentView ToView(Incident i, List<IncidentAlert> alerts, List<(string IncidentId, string Cause, int Orders)> causes)
    {
        var view = new IncidentView
        {
            IncidentId = i.IncidentId,
            Status = i.IsOpen ? "open" : "resolved",
            OrderCount = i.OrderCount,
            FirstSeenAt = Timestamp.FromDateTimeOffset(i.FirstSeenAt),
            LastSeenAt = Timestamp.FromDateTimeOffset(i.LastSeenAt),
            OpenedAt = Timestamp.FromDateTimeOffset(i.OpenedAt),
            ResolvedAt = i.ResolvedAt is { } resolved ? Timestamp.FromDateTimeOffset(resolved) : null,
            ApiPath = i.ApiPath,
        };
        view.Dimensions.AddRange(i.Dimensions.Select(d => new Dimension { Name = d.Dimension, Value = d.Value }));
        view.Alerts.AddRange(alerts.Where(a => a.IncidentId == i.IncidentId).Select(a => new AlertView
        {
            Channel = a.Channel,
            Status = a.Status,
            Attempts = a.Attempts,
            SentAt = a.SentAt is { } sent ? Timestamp.FromDateTimeOffset(sent) : null,
            LastError = a.Status == IncidentAlert.Sent ? "" : a.LastError ?? "",
        }));
        view.Causes.AddRange(causes.Where(c => c.IncidentId == i.IncidentId)
            .OrderByDescending(c => c.Orders).ThenBy(c => c.Cause, StringComparer.Ordinal)
            .Select(c => new CauseCount { Cause = c.Cause, Orders = c.Orders }));
        return view;
    }
}
