using Dapper;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using static Proactive.Tests.Shared.ContractEvents;
using DelayEpisodeChanged = Proactive.Contracts.Tracker.V1.DelayEpisodeChanged;

namespace Proactive.Tracker.Tests;

public sealed class OrderTransactionOnSqlite : OrderTransactionTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class OrderTransactionOnPostgres : OrderTransactionTests
{
    protected override StoreKind Kind => StoreKind.Postgres;

    [Fact]
    public async Task TwoTransactionsOnOneOrderTakeTurns()
    {
        var ct = TestContext.Current.CancellationToken;
        var firstIn = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = Store.InOrderTransactionAsync(
            "O-1",
            async order =>
            {
                firstIn.SetResult();
                await release.Task;
                return 1;
            },
            ct);
        await firstIn.Task;

        var secondIn = false;
        var second = Store.InOrderTransactionAsync("O-1", order => Task.FromResult(secondIn = true), ct);
        await WaitForAdvisoryLockWaiterAsync(ct);
        secondIn.ShouldBeFalse();

        release.SetResult();
        await first;
        (await second).ShouldBeTrue();
    }

    /// <summary>Until a backend waits for an order lock that another holds (polled, not slept on).</summary>
    private async Task WaitForAdvisoryLockWaiterAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Store.Database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"), ct) == 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the second transaction never waited for the order's lock");
            await Task.Yield();
        }
    }
}

/// <summary>The store's transaction on one order: each event once, and all or nothing of what it wrote.</summary>
public abstract class OrderTransactionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private TestDatabase test = null!;

    protected abstract StoreKind Kind { get; }

    protected TrackerStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        test = await TestDatabase.CreateAsync(Kind, TrackerSchema.Migrations);
        Store = new TrackerStore(test.Database);
    }

    public ValueTask DisposeAsync() => test.DisposeAsync();

    [Fact]
    public async Task AnEventIsStoredOncePerSourceAndId()
    {
        var ct = TestContext.Current.CancellationToken;
        var placed = Events.Valid(OrderPlaced("O-1", Now.AddHours(-1), Now.AddDays(3), id: "o-1-placed"));

        (await Store.InOrderTransactionAsync("O-1", order => order.TryAddEventAsync(placed, Now), ct)).ShouldBeTrue();
        (await Store.InOrderTransactionAsync("O-1", order => order.TryAddEventAsync(placed, Now), ct)).ShouldBeFalse();

        (await Store.ReadAsync(reads => reads.EventsAsync("O-1"), ct)).Select(e => e.Id).ShouldBe(["o-1-placed"]);
    }

    [Fact]
    public async Task NothingAFailedTransactionWroteIsKept()
    {
        var ct = TestContext.Current.CancellationToken;
        var placed = Events.Valid(OrderPlaced("O-1", Now.AddHours(-1), Now.AddDays(3), id: "o-1-placed"));
        var episode = new DelayEpisode(DelayEpisode.IdFor("O-1", 1), "O-1", 1, DelayReason.NotShipped, null, null, Now);

        await Should.ThrowAsync<InvalidOperationException>(() => Store.InOrderTransactionAsync<int>(
            "O-1",
            async order =>
            {
                await order.TryAddEventAsync(placed, Now);
                await order.SaveEpisodeAsync(episode);
                var sequence = await order.NextSequenceAsync("O-1");
                await order.AddToOutboxAsync(new OutgoingEvent(0, $"O-1/{sequence}", Contracts.Topics.Notices, Contracts.CloudEventTypes.DelayEpisodeChanged, "O-1", new DelayEpisodeChanged { OrderId = "O-1" }, null, null), Now);
                await order.SetTimerAsync("O-1", Now.AddDays(1));
                await order.SavePredictionAsync(new OrderPrediction("O-1", RaisedAt: Now, Probability: 0.7, RaisedIn: PredictionMode.Notify));
                await order.AddLessonAsync([new HistogramRow(HistogramKind.Transit, "KR", 3, 1.0)]);
                throw new InvalidOperationException("the rules failed");
            },
            ct));

        var (events, episodes, prediction, version) = await Store.ReadAsync(
            async reads => (await reads.EventsAsync("O-1"), await reads.EpisodesAsync("O-1"), await reads.PredictionAsync("O-1"), await reads.ModelVersionAsync()),
            ct);
        events.ShouldBeEmpty();
        episodes.ShouldBeEmpty();
        prediction.ShouldBeNull();
        version.ShouldBe(0);
        (await Store.UnpublishedAsync(Now, 10, ct)).ShouldBeEmpty();
        (await Store.DueTimersAsync(Now.AddDays(2), 10, ct)).ShouldBeEmpty();
        (await Store.InOrderTransactionAsync("O-1", order => order.TryAddEventAsync(placed, Now), ct)).ShouldBeTrue();
    }
}
