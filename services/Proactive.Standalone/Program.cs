using Proactive.ServiceDefaults;
using Proactive.Standalone;
using Proactive.Standalone.Demo;

var demo = args.Contains(DemoScenario.Flag);
var builder = WebApplication.CreateBuilder(args.Where(a => a != DemoScenario.Flag).ToArray());
if (demo)
{
    builder.UseDemoDefaults();
}

builder.AddServiceDefaults();
builder.AddStandaloneServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapStandaloneEndpoints();

if (demo)
{
    await DemoScenario.RunAsync(app);
}
else
{
    await app.RunAsync();
}

public partial class Program;
