using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Dapr;

namespace Proactive.Notifier;

/// <summary>Notifier as a Dapr microservice: `dotnet run --project services/Proactive.Notifier`.</summary>
public sealed class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddDaprHosting(defaultAppPort: 5201, defaultHttpUrl: "http://localhost:5200");
        builder.AddNotifier();
        builder.AddNotifierDaprTopics();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapDaprHosting();
        app.MapNotifier();
        await app.RunAsync();
    }
}
