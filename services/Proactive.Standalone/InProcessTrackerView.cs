using Microsoft.Extensions.DependencyInjection;
using Proactive.Contracts.Tracker.V1;
using Proactive.CxConsole;
using Proactive.Tracker.Grpc;

namespace Proactive.Standalone;

/// <summary>The console's reads of Tracker in the standalone host: Tracker's gRPC service called in-process.</summary>
public sealed class InProcessTrackerView(IServiceProvider services) : ITrackerView
{
    public Task<OrderView> GetOrderAsync(GetOrderRequest request, CancellationToken ct) =>
        Service().GetOrder(request, new InProcessCall("GetOrder", ct));

    public Task<ListOrderEventsResponse> ListOrderEventsAsync(ListOrderEventsRequest request, CancellationToken ct) =>
        Service().ListOrderEvents(request, new InProcessCall("ListOrderEvents", ct));

    public Task<ListWatchedOrdersResponse> ListWatchedOrdersAsync(ListWatchedOrdersRequest request, CancellationToken ct) =>
        Service().ListWatchedOrders(request, new InProcessCall("ListWatchedOrders", ct));

    private OrderTrackingService Service() => ActivatorUtilities.CreateInstance<OrderTrackingService>(services);
}
