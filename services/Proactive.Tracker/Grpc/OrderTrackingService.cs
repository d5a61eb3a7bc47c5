using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proactive.Contracts.Tracker.V1;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Grpc;

/// <summary>
/// GET /v1/orders/{orderId}: the order as Tracker sees it, folded from its events; its events
/// (the timeline); and the watched orders (late or at risk) the CX console lists.
/// </summary>
public sealed class OrderTrackingService(TrackerStore store, TimeProvider time, RuleSettings rules) : OrderTracking.OrderTrackingBase
{
    public override async Task<OrderView> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        RequireOrderId(request.OrderId);

        var (events, episodes, predicted) = await store.ReadAsync(
            async order => (
                await order.EventsAsync(request.OrderId),
                await order.EpisodesAsync(request.OrderId),
                await order.PredictionAsync(request.OrderId)),
            context.CancellationToken);
        if (events.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No events for order {request.OrderId}"));
        }

        var timeline = OrderTimeline.Fold(request.OrderId, events);
        var assessment = DelayRules.Assess(timeline, time.GetUtcNow(), rules);
        var view = new OrderView
        {
            OrderId = request.OrderId,
            State = assessment.State switch
            {
                OrderState.AwaitingOrder => "awaiting_order",
                OrderState.Delivered => "delivered",
                OrderState.Cancelled => "cancelled",
                OrderState.Late => "late",
                _ => "on_track",
            },
            CustomerId = timeline.Terms?.Customer.CustomerId ?? "",
        };
        if (timeline.Terms is { } terms)
        {
            view.PromisedBy = Timestamp.FromDateTimeOffset(terms.PromisedBy);
            view.ShipBy = terms.ShipBy is { } shipBy ? Timestamp.FromDateTimeOffset(shipBy) : null;
        }

        view.Shipments.AddRange(timeline.Shipments.Select(ToView));
        view.Episodes.AddRange(episodes.Select(ToView));
        view.Delay = episodes.LastOrDefault(e => e.IsOpen) is { } open ? ToView(open) : null;
        if (predicted is { RaisedAt: { } raisedAt })
        {
            view.Prediction = new PredictionView
            {
                RaisedAt = Timestamp.FromDateTimeOffset(raisedAt),
                Probability = predicted.Probability ?? 0,
                EstimatedDeliveryAt = predicted.EstimatedDeliveryAt is { } eta ? Timestamp.FromDateTimeOffset(eta) : null,
                Outcome = predicted.Outcome is { } outcome ? Names.Snake(outcome.ToString()) : "",
                RecordOnly = predicted.RaisedIn == PredictionMode.Internal,
            };
        }

        return view;
    }

    public override async Task<ListOrderEventsResponse> ListOrderEvents(ListOrderEventsRequest request, ServerCallContext context)
    {
        RequireOrderId(request.OrderId);

        var events = await store.ReadAsync(order => order.EventsAsync(request.OrderId), context.CancellationToken);
        if (events.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No events for order {request.OrderId}"));
        }

        var response = new ListOrderEventsResponse();
        response.Events.AddRange(events.OrderBy(e => e.OccurredAt).Select(e => new OrderEventEntry { OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt), Type = e.Type }));
        return response;
    }

    public override async Task<ListWatchedOrdersResponse> ListWatchedOrders(ListWatchedOrdersRequest request, ServerCallContext context)
    {
        var query = WatchQuery.Parse(request);
        if (query.Problems.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", query.Problems)));
        }

        var now = time.GetUtcNow();
        var (page, counts, choices, trend) = await store.Database.ReadAsync(
            async c =>
            {
                var page = await WatchRows.PageAsync(c, query.Filter, query.PageSize + 1);
                var counts = await WatchRows.CountAsync(c, query.Filter with { After = null });
                if (!request.IncludeOverview)
                {
                    return (page, counts, default((List<string>, List<string>)?), default(List<(DateOnly Day, long Opened)>));
                }

                var choices = await WatchRows.ChoicesAsync(c);
                var trend = await WatchRows.OpenedPerDayAsync(c, now.AddDays(-(query.TrendDays - 1)), now);
                return (page, counts, choices, trend);
            },
            context.CancellationToken);
        return WatchQuery.Response(page, query.PageSize, counts, choices, trend);
    }

    private static ShipmentView ToView(ShipmentState s) => new()
    {
        ShipmentId = s.ShipmentId,
        Carrier = s.Carrier ?? "",
        TrackingNumber = s.TrackingNumber ?? "",
        Status = Names.Of(s.Status),
        StatusAt = s.StatusAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        EstimatedDeliveryAt = s.EstimatedDeliveryAt is { } eta ? Timestamp.FromDateTimeOffset(eta) : null,
        Location = s.Location ?? "",
        ExceptionCode = s.ExceptionCode is { } code ? Names.Of(code) : "",
    };

    private static DelayEpisodeView ToView(DelayEpisode e) => new()
    {
        EpisodeId = e.EpisodeId,
        Reason = Names.Of(e.Reason),
        ExceptionCode = e.ExceptionCode is { } code ? Names.Of(code) : "",
        ActionRequired = e.ActionRequired,
        OpenedAt = Timestamp.FromDateTimeOffset(e.OpenedAt),
        EstimatedDeliveryAt = e.EstimatedDeliveryAt is { } eta ? Timestamp.FromDateTimeOffset(eta) : null,
        ClosedAt = e.ClosedAt is { } closed ? Timestamp.FromDateTimeOffset(closed) : null,
        Resolution = e.Resolution is { } r ? Names.Of(r) : "",
    };

    /// <summary>An order id the event contract could have stored (so no NUL or 10 KB id reaches the store), else InvalidArgument naming the field.</summary>
    private static void RequireOrderId(string orderId)
    {
        if (string.IsNullOrWhiteSpace(orderId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "order_id is required"));
        }

        if (!ContractLimits.IsSafeId(orderId))
        {
            throw new RpcException(new Status(
                StatusCode.InvalidArgument, $"order_id: at most {ContractLimits.MaxIdLength} letters, digits, '.', '_', '-', ':' (as in the events)"));
        }
    }
}
