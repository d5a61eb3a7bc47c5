using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Tests;

/// <summary>SQLite's one writer lets urgent work in before normal work, each in arrival order, and starves neither.</summary>
public sealed class WriteGateTests
{
    private readonly WriteGate gate = new();
    private readonly List<string> order = [];

    [Fact]
    public async Task UrgentWaitersGoBeforeNormalOnesEachInArrivalOrder()
    {
        await gate.EnterAsync(WritePriority.Normal, TestContext.Current.CancellationToken);
        var waiting = new[]
        {
            Queue("normal 1", WritePriority.Normal),
            Queue("urgent 1", WritePriority.Urgent),
            Queue("normal 2", WritePriority.Normal),
            Queue("urgent 2", WritePriority.Urgent),
        };
        gate.Waiting.ShouldBe(4);

        gate.Exit();
        await Task.WhenAll(waiting);

        order.ShouldBe(["urgent 1", "urgent 2", "normal 1", "normal 2"]);
        gate.Waiting.ShouldBe(0);
    }

    [Fact]
    public async Task ANormalWaiterGoesAfterAStreakOfUrgentOnes()
    {
        await gate.EnterAsync(WritePriority.Normal, TestContext.Current.CancellationToken);
        var normal = Queue("normal", WritePriority.Normal);
        var urgent = Enumerable.Range(1, WriteGate.UrgentInARow + 2).Select(i => Queue($"urgent {i}", WritePriority.Urgent)).ToArray();

        gate.Exit();
        await Task.WhenAll([normal, .. urgent]);

        order.IndexOf("normal").ShouldBe(WriteGate.UrgentInARow, "after the streak of urgent ones, before the urgent ones left");
    }

    [Fact]
    public async Task AWaiterCancelledBeforeItsTurnLeavesTheQueueAndTheNextGoes()
    {
        await gate.EnterAsync(WritePriority.Normal, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(WritePriority.Urgent, cancel.Token);
        var next = Queue("next", WritePriority.Normal);

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => cancelled);
        gate.Waiting.ShouldBe(1);
        gate.Exit();
        await next;
        order.ShouldBe(["next"]);
    }

    [Fact]
    public async Task AFreeGateLetsInAtOnceAndOpensWhenNobodyWaits()
    {
        await gate.EnterAsync(WritePriority.Urgent, TestContext.Current.CancellationToken);
        gate.Exit();

        var again = gate.EnterAsync(WritePriority.Normal, TestContext.Current.CancellationToken);

        again.IsCompletedSuccessfully.ShouldBeTrue();
        gate.Exit();
    }

    /// <summary>Waits for the gate, notes the turn and lets the next one in.</summary>
    private async Task Queue(string name, WritePriority priority)
    {
        await gate.EnterAsync(priority, TestContext.Current.CancellationToken);
        order.Add(name);
        gate.Exit();
    }
}
