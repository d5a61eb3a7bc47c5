using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Proactive.Contracts.Events.V1;
using Proactive.Notifier.Dispatch;
using Proactive.ServiceDefaults.Queues;
using Proactive.Tracker;
using Proactive.Tracker.Events;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timers;

namespace Proactive.Standalone.Replay;

/// <summary>What a replay went through: the orders it saw, the lines it refused, where the clock ended.</summary>
public sealed record ReplayRun(IReadOnlyCollection<string> OrderIds, IReadOnlyList<BadLine> Refused, DateTimeOffset EndedAt, int StuckQueues);

/// <summary>
/// Drives the real code path on the virtual clock: each event is read by the ingest's reader and
/// handled by Tracker at its occurredAt, in time order (input order for equal instants); before
/// it, the clock stops at every instant a timer, a notice or an outbox retry falls due, and the
/// relay, the timer sweep and the dispatcher run as their background loops would.
/// </summary>
public sealed class ReplayEngine(
    VirtualClock clock,
    EventIntake intake,
    OrderTracker tracker,
    TrackerStore trackerStore,
    DueTimerSweep sweep,
    OutboxRelay relay,
    NoticeDispatcher dispatcher,
    ItemFailures failures)
{
    /// <summary>How long after the last promise (or event) the replay keeps letting due work run.</summary>
    public static readonly TimeSpan Tail = TimeSpan.FromDays(30);

    private int stuck;

    // The next instant a notice or an outbox retry falls due, while nothing has changed them.
    private DateTimeOffset? queues;
    private bool queuesKnown;

    public static ReplayEngine Create(IServiceProvider services) => new(
        (VirtualClock)services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<EventIntake>(),
        services.GetRequiredService<OrderTracker>(),
        services.GetRequiredService<TrackerStore>(),
        services.GetRequiredService<DueTimerSweep>(),
        services.GetRequiredService<OutboxRelay>(),
        services.GetRequiredService<NoticeDispatcher>(),
        services.GetRequiredService<ItemFailures>());

    /// <summary>The order events are delivered in: by occurredAt, then input order; a line without one first.</summary>
    public static List<ReplayLine> InTimeOrder(IEnumerable<ReplayLine> lines) =>
        lines.OrderBy(l => l.OccurredAt ?? DateTimeOffset.MinValue).ThenBy(l => l.Number).ToList();

    public async Task<ReplayRun> RunAsync(IReadOnlyList<ReplayLine> lines, Action<int>? progress, CancellationToken cancellationToken)
    {
        var orderIds = new HashSet<string>(StringComparer.Ordinal);
        var refused = new List<BadLine>();
        var last = clock.GetUtcNow();
        var done = 0;
        foreach (var line in InTimeOrder(lines))
        {
            if (line.OccurredAt is { } at && at > clock.GetUtcNow())
            {
                await RunDueUntilAsync(at, cancellationToken);
                clock.MoveTo(at);
            }

            var (accepted, refusal) = await DeliverAsync(line, cancellationToken);
            if (accepted is not null)
            {
                orderIds.Add(accepted.OrderId);
                last = Later(last, accepted.OccurredAt);
                if (accepted.Data is OrderSnapshot snapshot)
                {
                    last = Later(last, snapshot.PromisedBy.ToDateTimeOffset());
                }

                // Most events change no episode: then the relay has nothing, and the dispatcher has
                // nothing new before the next due instant. Only when one went out does it all run now.
                if (await relay.RelayPendingAsync(cancellationToken) > 0)
                {
                    await DrainAsync(cancellationToken);
                }
            }
            else
            {
                refused.Add(refusal!);
            }

            progress?.Invoke(++done);
        }

        await RunDueUntilAsync(last + Tail, cancellationToken);
        return new ReplayRun(orderIds, refused.OrderBy(b => b.Line).ToList(), clock.GetUtcNow(), stuck);
    }

    /// <summary>One line through the ingest's reader and Tracker, exactly as POST /v1/events/{topic} takes it.</summary>
    private async Task<(InboundEvent? Accepted, BadLine? Refused)> DeliverAsync(ReplayLine line, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(line.Json);
        var read = intake.Read(document.RootElement, line.Topic);
        if (read.Rejection is { } rejection)
        {
            tracker.Metrics.Refused(rejection);
            return (null, new BadLine(line.Number, rejection.Errors));
        }

        try
        {
            await tracker.HandleAsync(read.Event!, cancellationToken, "replay");
            return (read.Event, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, new BadLine(line.Number, new Dictionary<string, string[]> { ["event"] = [$"not stored ({e.GetType().Name})"] }));
        }
    }

    /// <summary>
    /// Runs what is due now (an event may have set its order's timer to now), then stops the clock at
    /// each instant up to <paramref name="until"/> where something falls due, and runs it.
    /// </summary>
    private async Task RunDueUntilAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        while (await NextDueAsync(cancellationToken) is { } next && next <= until)
        {
            var wasDue = next <= clock.GetUtcNow();
            clock.MoveTo(next);
            if (await DrainAsync(cancellationToken) == 0 && wasDue)
            {
                // Something says it is due but nothing takes it: leave it rather than spin.
                stuck++;
                return;
            }
        }
    }

    /// <summary>
    /// The next instant any queue has work: a timer, a notice (its provider ready), an outbox retry.
    /// Timers move with every event, so they are asked each time; notices and outbox retries change
    /// only when the relay or the dispatcher did something, so their next instant is kept until then.
    /// </summary>
    private async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var timer = await trackerStore.NextTimerDueAsync(cancellationToken);
        if (!queuesKnown)
        {
            var notice = await dispatcher.NextDueAsync(cancellationToken);
            var outbox = await failures.NextAttemptAsync(OutboxRelay.Queue, clock.GetUtcNow(), cancellationToken);
            queues = Earlier(notice, outbox);
            queuesKnown = true;
        }

        return Earlier(timer, queues);
    }

    /// <summary>Runs the timer sweep, the outbox relay and the dispatcher until none has anything left now.</summary>
    private async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int round;
        do
        {
            round = await sweep.SweepDueAsync(cancellationToken) + await relay.RelayPendingAsync(cancellationToken) + await dispatcher.DispatchDueAsync(cancellationToken);
            total += round;
        }
        while (round > 0);

        // The relay hands episodes to Notifier, which schedules notices; the dispatcher moves them: ask again.
        queuesKnown = false;
        return total;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
