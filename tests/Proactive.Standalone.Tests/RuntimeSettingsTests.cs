using System.Text.Json;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Every host runs with the runtime settings its CPU use was measured with (docs/benchmarks.md):
/// the thread pool's idle workers wait without spinning, and dynamic PGO is off.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("Proactive.Standalone")]
    [InlineData("Proactive.Tracker")]
    [InlineData("Proactive.Notifier")]
    public void TheHostRunsWithoutThreadPoolSpinningAndWithoutDynamicPgo(string host)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, $"{host}.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
        properties.GetProperty("System.Runtime.TieredPGO").GetBoolean().ShouldBeFalse();
    }
}
