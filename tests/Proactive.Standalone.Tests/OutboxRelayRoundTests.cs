using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults;
using Proactive.Tracker.Publishing;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>The relay marks what a round published in one commit, not one per row; standalone, Notifier takes the round in one commit too.</summary>
public sealed class OutboxRelayRoundTests
{
    [Fact]
    public async Task ARelayRoundIsOneNotifierTransactionAndOneMark()
    {
        await using var host = await StandaloneHost.StartAsync();
        var now = host.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            var order = $"RR-{i}";
            await host.AcceptAsync(
                OrderPlaced(order, now.AddHours(-3), now.AddDays(2)),
                ShipmentCreated(order, "S-1", now.AddHours(-2), now.AddDays(1)),
                Tracking(order, "S-1", now.AddHours(-1), "IN_TRANSIT", now.AddDays(4)));
        }

        // Only this round's spans: they share the trace of a root started here.
        var marks = new ConcurrentBag<string>();
        using var root = new Activity("relay round under test").Start();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ProactiveTelemetry.Source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TraceId == root.TraceId && a.DisplayName is "db MarkPublishedAsync" or "db HandleManyAsync" or "db HandleAsync")
                {
                    marks.Add(a.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var relay = host.Services.GetRequiredService<OutboxRelay>();
        (await relay.RelayPendingAsync(TestContext.Current.CancellationToken)).ShouldBe(3);
        marks.Count(m => m == "db MarkPublishedAsync").ShouldBe(1, "one commit marks the round's three published rows");
        marks.Count(m => m == "db HandleManyAsync").ShouldBe(1, "Notifier decided the round's three changes in one transaction");
        marks.ShouldNotContain("db HandleAsync");
        for (var i = 0; i < 3; i++)
        {
            (await host.NoticesAsync($"RR-{i}")).EnumerateArray().Select(n => n.GetProperty("status").GetString()).ShouldBe(["pending", "pending"]);
        }

        (await relay.RelayPendingAsync(TestContext.Current.CancellationToken)).ShouldBe(0, "every published row was marked");
    }
}
