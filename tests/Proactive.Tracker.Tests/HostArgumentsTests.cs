using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Json;
using Proactive.ServiceDefaults;

namespace Proactive.Tracker.Tests;

public sealed class HostArgumentsTests
{
    [Fact]
    public void AHostBuiltWithTheSharedArgumentsDoesNotWatchItsConfigurationFiles()
    {
        var builder = WebApplication.CreateBuilder(HostArguments.Of(["--Proactive:Store=Sqlite"]));

        var files = builder.Configuration.Sources.OfType<JsonConfigurationSource>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.ReloadOnChange, file.Path));
        Assert.Equal("Sqlite", builder.Configuration["Proactive:Store"]);
    }

    [Fact]
    public void AnExplicitChoiceOfReloadingStands()
    {
        var args = HostArguments.Of(["--hostBuilder:reloadConfigOnChange=true"]);

        Assert.Equal(["--hostBuilder:reloadConfigOnChange=true"], args);
        var builder = WebApplication.CreateBuilder(args);
        Assert.Contains(builder.Configuration.Sources.OfType<JsonConfigurationSource>(), file => file.ReloadOnChange);
    }
}
