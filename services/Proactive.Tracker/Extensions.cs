using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Dapr;
using Proactive.Tracker.Events;
using Proactive.Tracker.Grpc;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timers;

namespace Proactive.Tracker;

public static class Extensions
{
    /// <summary>
    /// Tracker's services. The host supplies an <see cref="IEpisodePublisher"/>: in-process
    /// delivery to Notifier (standalone) or the Dapr sidecar.
    /// </summary>
    public static IHostApplicationBuilder AddTracker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrackerOptions>()
            .Bind(builder.Configuration.GetSection(TrackerOptions.Section))
            .Validate(o => o.StallAfter > TimeSpan.Zero, $"{TrackerOptions.Section}:StallAfter must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(TrackerSchema.Migrations);
        builder.Services.AddSingleton<TrackerStore>();
        builder.Services.AddQueueSignal<OutboxSignal>();
        builder.Services.AddSingleton<IQueueProbe, TrackerQueueProbe>();
        builder.Services.AddSingleton<OrderTracker>();
        builder.Services.AddSingleton<TrackerMetrics>();
        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddSingleton<DueTimerSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DueTimerSweep>());

        return builder;
    }

    /// <summary>Dapr hosting: the contract topics arrive through AppCallback, episodes leave through the sidecar.</summary>
    public static IHostApplicationBuilder AddTrackerDaprTopics(this IHostApplicationBuilder builder)
    {
        foreach (var topic in EventTypes.Topics)
        {
            builder.Services.AddSingleton<ITopicHandler>(sp => new ContractTopicHandler(topic, sp.GetRequiredService<OrderTracker>(), sp.GetRequiredService<TrackerMetrics>()));
        }

        builder.Services.AddSingleton<IEpisodePublisher, DaprEpisodePublisher>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTracker(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<OrderTrackingService>();
        return endpoints;
    }
}
