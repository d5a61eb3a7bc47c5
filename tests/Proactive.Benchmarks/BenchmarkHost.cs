using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proactive.ServiceDefaults;
using Proactive.Standalone;

namespace Proactive.Benchmarks;

/// <summary>The standalone services in process, background loops off (the load tool drives them), no quiet hours, no logs.</summary>
internal static class BenchmarkHost
{
    public static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        settings["Proactive:Tracker:RunBackgroundWork"] = "false";
        settings["Proactive:Dispatch:RunBackgroundWork"] = "false";

        // Every notice due at once whatever the hour: no quiet hours.
        settings["Proactive:Notices:QuietHoursStart"] = "00:00";
        settings["Proactive:Notices:QuietHoursEnd"] = "00:00";
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.AddStandaloneServices();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        await app.StartAsync(); // migrates a fresh store
        return app;
    }
}
