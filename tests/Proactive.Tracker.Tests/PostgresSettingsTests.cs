using Npgsql;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Tests;

public sealed class PostgresSettingsTests
{
    [Fact]
    public void StatementsArePreparedAfterTheirSecondUseAndConnectionsReturnWithoutAResetUnlessTheConnectionStringSaysOtherwise()
    {
        var defaults = new NpgsqlConnectionStringBuilder(Database.WithPostgresDefaults("Host=db;Username=proactive"));
        defaults.MaxAutoPrepare.ShouldBe(64);
        defaults.AutoPrepareMinUsages.ShouldBe(2);
        defaults.NoResetOnClose.ShouldBeTrue();
        defaults.Host.ShouldBe("db");

        var own = new NpgsqlConnectionStringBuilder(Database.WithPostgresDefaults("Host=db;Max Auto Prepare=0;Auto Prepare Min Usages=5;No Reset On Close=false"));
        own.MaxAutoPrepare.ShouldBe(0);
        own.AutoPrepareMinUsages.ShouldBe(5);
        own.NoResetOnClose.ShouldBeFalse();
    }
}
