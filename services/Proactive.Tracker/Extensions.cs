using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Configuration;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Dapr;
using Proactive.Tracker.Events;
using Proactive.Tracker.Grpc;
using Proactive.Tracker.Intake;
using Proactive.Tracker.Prediction;
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
        builder.Services.AddCheckedOptions<TrackerOptions>(builder.Configuration.GetSection(TrackerOptions.Section))
            .PostConfigure(o => o.DefaultTimeZone ??= builder.Configuration["Proactive:Notices:DefaultTimeZone"] ?? "UTC");
        // The rules' settings parsed once from the checked options, not per event or request.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<TrackerOptions>>().Value.ToRuleSettings());
        builder.Services.AddCheckedOptions<IngestOptions>(builder.Configuration.GetSection(IngestOptions.Section));
        builder.Services.AddCheckedOptions<PredictionSettings>(builder.Configuration.GetSection(PredictionSettings.Section));
        builder.Services.AddSingleton<SharedModel>();
        builder.Services.AddSingleton<LatenessPredictor>();
        builder.Services.AddSingleton<EventIntake>();
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
        builder.AddTrackerIntake();

        return builder;
    }

    /// <summary>Dapr hosting: the contract topics arrive through AppCallback, episodes leave through the sidecar.</summary>
    public static IHostApplicationBuilder AddTrackerDaprTopics(this IHostApplicationBuilder builder)
    {
        foreach (var topic in EventTypes.Topics)
        {
            builder.Services.AddSingleton<ITopicHandler>(sp => new ContractTopicHandler(
                topic, sp.GetRequiredService<IntakeBatcher>(), sp.GetRequiredService<EventIntake>(), sp.GetRequiredService<TrackerMetrics>()));
        }

        builder.Services.AddSingleton<IEpisodePublisher, DaprEpisodePublisher>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTracker(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<OrderTrackingService>().RequireAuthorization(Scopes.OrdersRead);
        return endpoints;
    }
}
