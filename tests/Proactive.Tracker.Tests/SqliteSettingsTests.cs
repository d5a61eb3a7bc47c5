using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Tests;

public sealed class SqliteSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("proactive-sqlite-settings-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(null, 2L)]
    [InlineData("Full", 2L)]
    [InlineData("normal", 1L)]
    public async Task EveryConnectionCommitsWithTheConfiguredDurabilityAndFullUnlessToldOtherwise(string? setting, long expected)
    {
        await using var database = StoreFrom(setting);
        await database.MigrateAsync(new SchemaMigrations("settings-test", ["CREATE TABLE t (x INTEGER)"]), TestContext.Current.CancellationToken);

        // Read on the connection a write uses, and on a fresh one: each is opened with the setting.
        var inWrite = await database.WriteAsync((c, t) => c.ExecuteScalarAsync<long>("PRAGMA synchronous", transaction: t), TestContext.Current.CancellationToken);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        var fresh = await connection.ExecuteScalarAsync<long>("PRAGMA synchronous");

        inWrite.ShouldBe(expected);
        fresh.ShouldBe(expected);
    }

    [Fact]
    public void AnUnknownDurabilityIsRefusedNamingTheSetting()
    {
        var refused = Should.Throw<OptionsValidationException>(() => StoreFrom("Off"));
        refused.Message.ShouldContain("Proactive:SqliteSynchronous");
        refused.Message.ShouldContain("Off");
    }

    private Database StoreFrom(string? synchronous)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Proactive"] = $"Data Source={Path.Combine(directory, "store.db")}",
            ["Proactive:SqliteSynchronous"] = synchronous,
        });
        builder.AddProactiveStore();
        // The provider is left to the collector: the test disposes the store it made.
        return builder.Services.BuildServiceProvider().GetRequiredService<Database>();
    }
}
