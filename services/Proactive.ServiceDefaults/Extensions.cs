using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.ServiceDefaults;

public static class Extensions
{
    /// <summary>Telemetry, health checks, the clock and the store: what every Proactive host needs.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        builder.AddProactiveStore();
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
            return new Database(connectionString, kind);
        });
        builder.Services.AddHostedService<MigrationRunner>();
        return builder;
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var console = builder.Configuration.GetValue<bool>("Proactive:Telemetry:Console");
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource(ProactiveTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(ProactiveTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        if (console)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddConsoleExporter());
        }
    }

    /// <summary>GET /healthz: the process is up and its store answers.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions());
        return app;
    }
}
