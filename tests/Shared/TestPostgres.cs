using Npgsql;

namespace Proactive.Tests.Shared;

/// <summary>
/// The throwaway PostgreSQL cluster test.sh starts (PROACTIVE_TEST_POSTGRES). Each test gets a
/// database of its own. Without the cluster a PostgreSQL test is skipped when run by hand, and
/// fails under test.sh (PROACTIVE_REQUIRE_POSTGRES), so CI can never pass without it.
/// </summary>
public static class TestPostgres
{
    public static string? Admin => Environment.GetEnvironmentVariable("PROACTIVE_TEST_POSTGRES");

    public static async Task<string> CreateDatabaseAsync()
    {
        if (string.IsNullOrEmpty(Admin))
        {
            if (Environment.GetEnvironmentVariable("PROACTIVE_REQUIRE_POSTGRES") == "1")
            {
                throw new InvalidOperationException("PROACTIVE_TEST_POSTGRES is not set: run the tests with ./test.sh");
            }

            Assert.Skip("No PostgreSQL cluster (run ./test.sh, which starts one)");
        }

        var name = $"proactive_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(Admin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Admin) { Database = name }.ConnectionString;
    }

    /// <summary>Restarts the cluster (pg_ctl restart -m fast), as test.sh describes it.</summary>
    public static async Task RestartAsync()
    {
        var command = Environment.GetEnvironmentVariable("PROACTIVE_TEST_PG_RESTART")
            ?? throw new InvalidOperationException("PROACTIVE_TEST_PG_RESTART is not set: run the tests with ./test.sh");
        using var process = System.Diagnostics.Process.Start("bash", ["-c", command])!;
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0);
    }
}
