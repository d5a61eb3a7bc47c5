using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Proactive.CxConsole;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.CxConsole;

/// <summary>
/// The CX console served by Notifier in the Dapr hosting: Notifier's data in-process, Tracker's
/// through Tracker's gRPC API (<see cref="ConsoleTrackerOptions"/>). Off unless
/// Proactive:Console:Tracker:Address is set; half a configuration refuses the start.
/// </summary>
public static class NotifierConsoleHosting
{
    /// <summary>Adds the console when it is configured; whether it was.</summary>
    public static bool AddNotifierConsole(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ConsoleTrackerOptions.Section);
        builder.Services.AddCheckedOptions<ConsoleTrackerOptions>(section);
        if (string.IsNullOrWhiteSpace(section[nameof(ConsoleTrackerOptions.Address)]))
        {
            return false;
        }

        builder.AddCxConsole();
        builder.Services.AddSingleton<INotifierView, NotifierConsoleView>();
        builder.Services.AddGrpcTrackerView();
        return true;
    }
}
