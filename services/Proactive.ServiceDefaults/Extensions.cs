using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Configuration;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.ServiceDefaults;

public static class Extensions
{
    /// <summary>The health check that the store answers: what readiness, startup and daprd's app health probe wait for.</summary>
    public const string StoreCheck = "store";

    /// <summary>Telemetry, health checks, the clock and the store: what every Proactive host needs.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>(StoreCheck).AddCheck<QueueHealthCheck>("queues");
        builder.AddProactiveStore();
        builder.AddQueueIsolation();
        builder.ConfigureOpenTelemetry();
        return builder;
    }

    public static IHostApplicationBuilder AddProactiveStore(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var kind = configuration.GetValue("Proactive:Store", StoreKind.Sqlite);
            var connectionString = configuration.GetConnectionString("Proactive")
                ?? (kind == StoreKind.Sqlite ? Database.DefaultConnectionString
                    : throw new InvalidOperationException("Proactive:Store is Postgres: set ConnectionStrings:Proactive (Host=...;Database=...;Username=...)"));
            var synchronous = configuration["Proactive:SqliteSynchronous"] is { Length: > 0 } given
                ? Enum.TryParse<SqliteSynchronous>(given, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                    // An options failure, so the host refuses the start in one line naming the key (StartRefusal).
                    : throw new OptionsValidationException(
                        "Proactive:SqliteSynchronous", typeof(SqliteSynchronous), [$"Proactive:SqliteSynchronous is '{given}': use Full (the default) or Normal"])
                : SqliteSynchronous.Full;
            return new Database(connectionString, kind, synchronous, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<Database>());
        });
        builder.Services.AddHostedService<MigrationRunner>();
        return builder;
    }

    /// <summary>The failing-item mechanism every queue shares: retries with backoff, parking, its metrics.</summary>
    public static IHostApplicationBuilder AddQueueIsolation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<QueueOptions>(builder.Configuration.GetSection(QueueOptions.Section));
        builder.Services.AddCheckedOptions<HealthOptions>(builder.Configuration.GetSection(HealthOptions.Section));
        builder.Services.TryAddSingleton<QueueMetrics>();
        builder.Services.TryAddSingleton<ItemFailures>();
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry: our spans and meters ("Proactive",
    /// "Proactive.Tracker", "Proactive.Notifier"), ASP.NET Core, gRPC, HttpClient, Npgsql and the .NET runtime.
    /// Exported over OTLP when the standard OTEL_EXPORTER_OTLP_ENDPOINT (and OTEL_SERVICE_NAME,
    /// OTEL_RESOURCE_ATTRIBUTES...) are set; to the console when Proactive:Telemetry:Console is true.
    /// Every log line carries its trace and span ids and goes through the redacting logger factory.
    /// </summary>
    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var console = builder.Configuration.GetValue<bool>("Proactive:Telemetry:Console");

        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });
        builder.Services.AddRedactingLoggerFactory();

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource(ProactiveTelemetry.SourceName)
                .AddSource("Npgsql")
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.RecordException = true;
                    o.EnrichWithHttpResponse = ProactiveTelemetry.HideCapabilities;
                })
                .AddHttpClientInstrumentation(o => o.RecordException = true))
            .WithMetrics(metrics => metrics
                .AddMeter(ProactiveTelemetry.SourceName, $"{ProactiveTelemetry.SourceName}.Tracker", $"{ProactiveTelemetry.SourceName}.Notifier")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("System.Runtime"));
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        if (console)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddConsoleExporter());
            builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddConsoleExporter());
        }
    }

    /// <summary>
    /// Replaces the logger factory with one that masks contact details in everything logged, by
    /// any provider (console, OpenTelemetry, a test's).
    /// </summary>
    public static IServiceCollection AddRedactingLoggerFactory(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory(ActivatorUtilities.CreateInstance<LoggerFactory>(sp))));
        return services;
    }

    /// <summary>
    /// GET /healthz (readiness, startup): the process is up and its store answers (else Unhealthy,
    /// 503), and whether a queue is behind or holds parked items (Degraded, still 200: readiness
    /// stays, the body says why). The answer is JSON: the status and each check's status,
    /// description and data. GET /livez (liveness): the process answers, nothing else is looked
    /// at, so a database outage takes pods out of service but never restarts them. Also the
    /// parked-items API.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        app.MapParkedEndpoints();
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        });
    }
}
