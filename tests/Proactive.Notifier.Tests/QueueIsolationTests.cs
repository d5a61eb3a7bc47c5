using Grpc.Core;
using Proactive.ServiceDefaults.Queues;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace Proactive.Notifier.Tests;

/// <summary>The shared retry schedule of a failing queued item, and the queue health verdict.</summary>
public sealed class QueueIsolationTests
{
    private static readonly QueueOptions Options = new() { MaxAttempts = 4, RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 30)]
    [InlineData(40, 30)]
    public void TheWaitDoublesAfterEachFailureUpToTheCap(int failures, int seconds) =>
        RetrySchedule.Delay(failures, Options).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void AnItemIsParkedAtItsLastAllowedAttempt()
    {
        RetrySchedule.Parks(3, Options).ShouldBeFalse();
        RetrySchedule.Parks(4, Options).ShouldBeTrue();
    }

    [Fact]
    public void NothingParkedAndNoQueueBehindIsHealthy()
    {
        var result = QueueHealthCheck.Assess(new Dictionary<string, long>(), [new QueueAge("tracker.outbox", TimeSpan.FromMinutes(5)), new QueueAge("tracker.timers", null)], TimeSpan.FromMinutes(5));

        result.Status.ShouldBe(HealthStatus.Healthy);
        result.Data["tracker.outbox.oldest_due_age_seconds"].ShouldBe(300d);
    }

    [Fact]
    public void AParkedItemOrAQueueBehindIsDegradedNamingEach()
    {
        var result = QueueHealthCheck.Assess(
            new Dictionary<string, long> { ["notifier.dispatch"] = 2, ["tracker.outbox"] = 0 },
            [new QueueAge("tracker.timers", TimeSpan.FromMinutes(6))],
            TimeSpan.FromMinutes(5));

        result.Status.ShouldBe(HealthStatus.Degraded);
        result.Description.ShouldBe("notifier.dispatch: 2 parked; tracker.timers: oldest due item waiting 360 s (more than 300 s)");
        result.Data["notifier.dispatch.parked"].ShouldBe(2L);
        result.Data.ContainsKey("tracker.outbox.parked").ShouldBeFalse();
    }

    [Fact]
    public void AStoreOutageIsNotTheItemsFailureButBadDataIs()
    {
        var ct = TestContext.Current.CancellationToken;
        ItemFailures.IsItemFailure(new Microsoft.Data.Sqlite.SqliteException("database is locked", 5), ct).ShouldBeFalse();
        ItemFailures.IsItemFailure(new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", "40P01"), ct).ShouldBeFalse();
        ItemFailures.IsItemFailure(new Npgsql.PostgresException("too many connections", "FATAL", "FATAL", "53300"), ct).ShouldBeFalse();
        ItemFailures.IsItemFailure(new TimeoutException(), ct).ShouldBeFalse();
        ItemFailures.IsItemFailure(new global::Dapr.DaprException("publish failed", new RpcException(new Status(StatusCode.Unavailable, "no sidecar"))), ct).ShouldBeFalse();
        ItemFailures.IsItemFailure(new OperationCanceledException(new CancellationToken(true)), new CancellationToken(true)).ShouldBeFalse();
        ItemFailures.IsItemFailure(new global::Dapr.DaprException("publish failed", new RpcException(new Status(StatusCode.InvalidArgument, "too large"))), ct).ShouldBeTrue();

        ItemFailures.IsItemFailure(new Npgsql.PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021"), ct).ShouldBeTrue();
        ItemFailures.IsItemFailure(new Microsoft.Data.Sqlite.SqliteException("constraint failed", 19), ct).ShouldBeTrue();
        ItemFailures.IsItemFailure(new ArgumentOutOfRangeException("at"), ct).ShouldBeTrue();
    }

    [Fact]
    public void AStoredErrorNamesItsTypeWithoutContactDetailsOrNul() =>
        ItemFailures.Describe(new InvalidOperationException("cannot tell +821012345678 or minji@example.com about \0"))
            .ShouldBe("InvalidOperationException: cannot tell [phone] or [email] about \\0");

    [Fact]
    public void AStoredErrorIsCutBeforeHalfASurrogatePair()
    {
        var message = new string('x', 2000 - "InvalidOperationException: ".Length - 1) + "😀😀😀😀";
        var stored = ItemFailures.Describe(new InvalidOperationException(message));

        stored.Length.ShouldBeLessThanOrEqualTo(2000);
        char.IsHighSurrogate(stored[^1]).ShouldBeFalse();
    }
}
