using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Dapr;
using Proactive.Tracker.Events;
using Proactive.Tracker.Grpc;
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
        builder.Services.AddOptions<TrackerOptions>()
            .Bind(builder.Configuration.GetSection(TrackerOptions.Section))
            .PostConfigure(o => o.DefaultTimeZone ??= builder.Configuration["Proactive:Notices:DefaultTimeZone"] ?? "UTC")
            .Validate(o => o.StallAfter > TimeSpan.Zero, $"{TrackerOptions.Section}:StallAfter must be positive")
            .Validate(o => TrackerOptions.ParseTime(o.LastCallAt) is not null, $"{TrackerOptions.Section}:LastCallAt must be a time of day HH:mm, e.g. 09:00")
            .Validate(
                o => NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(o.DefaultTimeZone ?? "") is not null,
                $"{TrackerOptions.Section}:DefaultTimeZone (or Proactive:Notices:DefaultTimeZone) must be an IANA time zone, e.g. Asia/Seoul")
            .ValidateOnStart();
        builder.Services.AddOptions<IngestOptions>()
            .Bind(builder.Configuration.GetSection(IngestOptions.Section))
            .Validate(o => o.MaxBodyBytes > 0, $"{IngestOptions.Section}:MaxBodyBytes must be positive")
            .Validate(o => o.MaxBatchEntries > 0, $"{IngestOptions.Section}:MaxBatchEntries must be positive")
            .Validate(o => o.MaxClockSkew > TimeSpan.Zero, $"{IngestOptions.Section}:MaxClockSkew must be positive")
            .Validate(o => o.MaxHorizon > TimeSpan.Zero, $"{IngestOptions.Section}:MaxHorizon must be positive")
            .Validate(o => o.EventsPerSecondPerSource >= 0 && double.IsFinite(o.EventsPerSecondPerSource), $"{IngestOptions.Section}:EventsPerSecondPerSource must be 0 (off) or positive")
            .Validate(o => o.BurstPerSource > 0, $"{IngestOptions.Section}:BurstPerSource must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<PredictionSettings>()
            .Bind(builder.Configuration.GetSection(PredictionSettings.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PredictionSettings>, PredictionSettings.Validation>();
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

        return builder;
    }

    /// <summary>Dapr hosting: the contract topics arrive through AppCallback, episodes leave through the sidecar.</summary>
    public static IHostApplicationBuilder AddTrackerDaprTopics(this IHostApplicationBuilder builder)
    {
        foreach (var topic in EventTypes.Topics)
        {
            builder.Services.AddSingleton<ITopicHandler>(sp => new ContractTopicHandler(
                topic, sp.GetRequiredService<OrderTracker>(), sp.GetRequiredService<EventIntake>(), sp.GetRequiredService<TrackerMetrics>()));
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
