using Proactive.CxConsole;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Auth;
using Proactive.Standalone;
using Proactive.Standalone.Demo;
using Proactive.Standalone.Replay;

if (args.FirstOrDefault() == ReplayCommand.Name)
{
    using var stop = ReplayCommand.StopOnSignal();
    return await ReplayCommand.RunAsync(args[1..], Console.Error, Console.OpenStandardInput(), stop.Token);
}

if (args.FirstOrDefault() == NewApiKeyCommand.Name)
{
    return NewApiKeyCommand.Run(args, Console.Out, Console.Error);
}

return await StartRefusal.RunAsync(async () =>
{
    var demo = args.Contains(DemoScenario.Flag);
    var builder = WebApplication.CreateBuilder(HostArguments.Of(args.Where(a => a != DemoScenario.Flag)));
    if (demo)
    {
        builder.UseDemoDefaults();
    }

    builder.AddServiceDefaults();
    builder.AddStandaloneServices();
    builder.AddApiAuth();

    var app = builder.Build();
    app.UseCxConsoleAssets();
    app.UseApiAuth();
    app.MapDefaultEndpoints();
    app.MapStandaloneEndpoints();

    await (demo ? DemoScenario.RunAsync(app) : app.RunAsync());
});

public partial class Program;
