using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Proactive.Contracts.Tracker.V1;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.CxConsole;

/// <summary>
/// Configuration section "Proactive:Console:Tracker": where a console outside Tracker's process
/// (Notifier's, in the Dapr hosting) reaches Tracker's gRPC API. Under Dapr, Address is the local
/// sidecar's gRPC port and AppId Tracker's app id: daprd proxies the call to Tracker's app port
/// (Tracker serves its API there beside the AppCallback). Without Dapr, Address is Tracker's app
/// port itself. ApiKey is the caller's own key (a Tracker key holding orders:read, a secret): the
/// signed-in user's scopes still decide what the console shows.
/// </summary>
public sealed class ConsoleTrackerOptions : ICheckedOptions
{
    public const string Section = "Proactive:Console:Tracker";

    /// <summary>http://host:port of daprd's gRPC port or of Tracker's gRPC (h2c) port; empty: no console.</summary>
    public string? Address { get; set; }

    /// <summary>Tracker's Dapr app id, sent as "dapr-app-id" metadata; empty when Address is Tracker itself.</summary>
    public string? AppId { get; set; }

    /// <summary>The API key Tracker's API is called with ("Authorization: ApiKey …"); it needs orders:read.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The deadline of each call.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Configured => !string.IsNullOrWhiteSpace(Address);

    public IEnumerable<string> Problems()
    {
        var problems = new OptionProblems(Section).Positive(Timeout).ToList();
        if (!Configured)
        {
            if (!string.IsNullOrWhiteSpace(AppId) || !string.IsNullOrWhiteSpace(ApiKey))
            {
                problems.Add($"{Section}:{nameof(Address)} is required when {nameof(AppId)} or {nameof(ApiKey)} is set (without it the console is off)");
            }

            return problems;
        }

        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problems.Add($"{Section}:{nameof(Address)} must be an http:// or https:// address (daprd's gRPC port or Tracker's), not '{Address}'");
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            problems.Add($"{Section}:{nameof(ApiKey)} is required with {nameof(Address)}: Tracker's API needs a key holding orders:read");
        }

        return problems;
    }
}

/// <summary>Tracker's API over gRPC, with the console's own key and, through a Dapr sidecar, the target app id.</summary>
public sealed class GrpcTrackerView(OrderTracking.OrderTrackingClient client, IOptions<ConsoleTrackerOptions> options, TimeProvider time) : ITrackerView
{
    public Task<OrderView> GetOrderAsync(GetOrderRequest request, CancellationToken ct) =>
        CallAsync(o => client.GetOrderAsync(request, o).ResponseAsync, ct);

    public Task<ListOrderEventsResponse> ListOrderEventsAsync(ListOrderEventsRequest request, CancellationToken ct) =>
        CallAsync(o => client.ListOrderEventsAsync(request, o).ResponseAsync, ct);

    public Task<ListWatchedOrdersResponse> ListWatchedOrdersAsync(ListWatchedOrdersRequest request, CancellationToken ct) =>
        CallAsync(o => client.ListWatchedOrdersAsync(request, o).ResponseAsync, ct);

    /// <summary>
    /// A call with the console's key, the app id, and the page's cancellation cut at the configured
    /// timeout (by the host's clock: a gRPC deadline would be read against the wall clock).
    /// </summary>
    private async Task<T> CallAsync<T>(Func<CallOptions, Task<T>> call, CancellationToken ct)
    {
        var o = options.Value;
        var headers = new Metadata { { "authorization", $"ApiKey {o.ApiKey}" } };
        if (o.AppId is { Length: > 0 } appId)
        {
            headers.Add("dapr-app-id", appId);
        }

        using var timeout = new CancellationTokenSource(o.Timeout, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        return await call(new CallOptions(headers, cancellationToken: both.Token));
    }
}

public static class TrackerClientExtensions
{
    /// <summary>The console's <see cref="ITrackerView"/> over gRPC, to <see cref="ConsoleTrackerOptions.Address"/>.</summary>
    public static IServiceCollection AddGrpcTrackerView(this IServiceCollection services)
    {
        services.AddGrpcClient<OrderTracking.OrderTrackingClient>((sp, o) => o.Address = new Uri(sp.GetRequiredService<IOptions<ConsoleTrackerOptions>>().Value.Address!));
        services.AddSingleton<ITrackerView, GrpcTrackerView>();
        return services;
    }
}
