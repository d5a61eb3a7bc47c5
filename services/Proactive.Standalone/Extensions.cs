using Microsoft.AspNetCore.Server.Kestrel.Core;
using Proactive.CxConsole;
using Proactive.Notifier;
using Proactive.Notifier.CxConsole;
using Proactive.ServiceDefaults.Auth;
using Proactive.Standalone.Ingest;
using Proactive.Standalone.Replay;
using Proactive.Tracker;
using Proactive.Tracker.Publishing;

namespace Proactive.Standalone;

public static class Extensions
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>Tracker and Notifier in one process, joined by an in-process publisher, plus the ingest API.</summary>
    public static WebApplicationBuilder AddStandaloneServices(this WebApplicationBuilder builder)
    {
        builder.ConfigureEndpoints();
        builder.Services.AddGrpc().AddJsonTranscoding();
        builder.Services.AddSingleton<SourceRateLimits>();
        builder.AddTracker();
        builder.AddNotifier();
        builder.AddCxConsole();
        builder.Services.AddSingleton<ITrackerView, InProcessTrackerView>();
        builder.Services.AddSingleton<INotifierView, NotifierConsoleView>();
        builder.Services.AddSingleton<IEpisodePublisher, InProcessEpisodePublisher>();
        return builder;
    }

    public static WebApplication MapStandaloneEndpoints(this WebApplication app)
    {
        app.MapEventIngest();
        app.MapTracker();
        app.MapNotifier();
        app.MapCxConsole();
        return app;
    }

    /// <summary>
    /// HTTP/1.1 on --urls (default http://localhost:5080) for the ingest and JSON APIs, and gRPC
    /// over h2c on the next port up (or Proactive:GrpcUrl): plain-text HTTP/2 needs its own port.
    /// </summary>
    private static void ConfigureEndpoints(this WebApplicationBuilder builder)
    {
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = DefaultUrl;
        }

        var grpcUrl = builder.Configuration["Proactive:GrpcUrl"];
        if (string.IsNullOrWhiteSpace(grpcUrl))
        {
            var first = ParseUrl(urls.Split(';')[0]);
            grpcUrl = new UriBuilder(first) { Port = first.Port == 0 ? 0 : first.Port + 1 }.Uri.ToString().TrimEnd('/');
        }

        var grpcPort = ParseUrl(grpcUrl).Port;
        builder.WebHost.UseUrls($"{urls};{grpcUrl}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
        {
            if (grpcPort != 0 && listen.IPEndPoint?.Port == grpcPort)
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        }));
    }

    /// <summary>A Kestrel address as a Uri; the wildcard hosts "*" and "+" are not valid in one.</summary>
    private static Uri ParseUrl(string url) =>
        new(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal));
}
