using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Dapr;

namespace Proactive.Tracker;

/// <summary>Tracker as a Dapr microservice: `dotnet run --project services/Proactive.Tracker`.</summary>
public sealed class Program
{
    public const int DefaultAppPort = 5101;
    public const string DefaultHttpUrl = "http://localhost:5100";

    public static Task<int> Main(string[] args) => StartRefusal.RunAsync(async () =>
    {
        var builder = WebApplication.CreateBuilder(HostArguments.Of(args));
        builder.AddServiceDefaults();
        builder.AddDaprHosting(DefaultAppPort, DefaultHttpUrl);
        builder.AddTracker();
        builder.AddTrackerDaprTopics();
        builder.AddApiAuth();

        var app = builder.Build();
        app.UseApiAuth();
        app.MapDefaultEndpoints();
        app.MapDaprHosting();
        app.MapTracker();
        await app.RunAsync();
    });
}
