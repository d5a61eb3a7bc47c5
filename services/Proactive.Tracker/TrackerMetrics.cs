using System.Diagnostics.Metrics;
using Proactive.Tracker.Events;

namespace Proactive.Tracker;

/// <summary>
/// Tracker's meter, "Proactive.Tracker": what came in and what it meant, and how far behind the
/// timers and the outbox are. The queue gauges show the figures of the sweep's last look.
/// </summary>
public sealed class TrackerMetrics
{
    public const string MeterName = "Proactive.Tracker";

    private readonly Counter<long> events;
    private readonly Counter<long> episodesOpened;
    private QueueStats queues = new(0, null, 0);

    public TrackerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        events = meter.CreateCounter<long>(
            "proactive.tracker.events", "{event}", "Contract events received, by CloudEvent type and outcome (accepted, duplicate, refused).");
        episodesOpened = meter.CreateCounter<long>(
            "proactive.tracker.episodes.opened", "{episode}", "Delay episodes opened, by the reason that opened them.");
        meter.CreateObservableGauge(
            "proactive.tracker.timers.due", () => queues.TimersDue, "{order}", "Orders whose timer fell due and has not been swept yet.");
        meter.CreateObservableGauge(
            "proactive.tracker.timers.oldest_due_age", () => queues.OldestDueAge?.TotalSeconds ?? 0, "s", "How long the oldest due timer has waited.");
        meter.CreateObservableGauge(
            "proactive.tracker.outbox.pending", () => queues.OutboxPending, "{event}", "Delay-episode changes committed but not yet published.");
    }

    public void Accepted(string type) => events.Add(1, new("event.type", type), new("outcome", "accepted"));

    public void Duplicate(string type) => events.Add(1, new("event.type", type), new("outcome", "duplicate"));

    /// <summary>A refused event, counted under its type when that is a contract type (else "unknown", to bound the series).</summary>
    public void Refused(EventRejection rejection) =>
        events.Add(1, new("event.type", rejection.Type ?? "unknown"), new("outcome", "refused"));

    public void EpisodeOpened(string reason) => episodesOpened.Add(1, new KeyValuePair<string, object?>("delay.reason", reason));

    public void Queues(QueueStats stats) => queues = stats;
}

/// <summary>Due timers and their oldest age, and unpublished outbox rows, at one instant.</summary>
public sealed record QueueStats(long TimersDue, TimeSpan? OldestDueAge, long OutboxPending);
