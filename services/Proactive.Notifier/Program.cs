using Proactive.CxConsole;
using Proactive.Notifier.CxConsole;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Dapr;

namespace Proactive.Notifier;

/// <summary>Notifier as a Dapr microservice: `dotnet run --project services/Proactive.Notifier`.</summary>
public sealed class Program
{
    public const int DefaultAppPort = 5201;
    public const string DefaultHttpUrl = "http://localhost:5200";

    public static Task<int> Main(string[] args) => StartRefusal.RunAsync(async () =>
    {
        var builder = WebApplication.CreateBuilder(HostArguments.Of(args));
        builder.AddServiceDefaults();
        builder.AddDaprHosting(DefaultAppPort, DefaultHttpUrl);
        builder.AddNotifier();
        builder.AddNotifierDaprTopics();
        builder.AddApiAuth();
        var console = builder.AddNotifierConsole();

        var app = builder.Build();
        if (console)
        {
            app.UseCxConsoleAssets();
        }

        app.UseApiAuth();
        app.MapDefaultEndpoints();
        app.MapDaprHosting();
        app.MapNotifier();
        if (console)
        {
            app.MapCxConsole();
        }

        await app.RunAsync();
    });
}
