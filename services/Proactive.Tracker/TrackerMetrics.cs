using System.Diagnostics.Metrics;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Store;

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
    private readonly Counter<long> deliveries;
    private readonly Counter<long> predictedLate;
    private readonly Counter<long> predictionOutcomes;
    private QueueStats queues = new(0, null, 0);

    public TrackerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        events = meter.CreateCounter<long>(
            "proactive.tracker.events", "{event}", "Contract events received, by CloudEvent type and outcome (accepted, duplicate, refused).");
        episodesOpened = meter.CreateCounter<long>(
            "proactive.tracker.episodes.opened", "{episode}", "Delay episodes opened, by the reason that opened them.");
        deliveries = meter.CreateCounter<long>(
            "proactive.tracker.deliveries", "{order}", "Deliveries told to Notifier (once per order), by message: delivered (no episode open) or resolved (an open episode closed by delivery).");
        predictedLate = meter.CreateCounter<long>(
            "proactive.prediction.at_risk", "{order}", "Orders the delivery-time model found at risk of missing their promise, by prediction mode (notify, internal).");
        predictionOutcomes = meter.CreateCounter<long>(
            "proactive.prediction.outcomes", "{order}", "At-risk warnings settled, by outcome: late (right), false_alarm (delivered on time), cancelled.");
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

    public void DeliveryPublished(string message) => deliveries.Add(1, new KeyValuePair<string, object?>("message", message));

    public void PredictedLate(PredictionMode mode) => predictedLate.Add(1, new KeyValuePair<string, object?>("prediction.mode", Names.Snake(mode.ToString()).ToLowerInvariant()));

    public void PredictionSettled(PredictionOutcome outcome) =>
        predictionOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", Names.Snake(outcome.ToString()).ToLowerInvariant()));

    public void Queues(QueueStats stats) => queues = stats;
}

/// <summary>Due timers and their oldest age, and unpublished outbox rows, at one instant.</summary>
public sealed record QueueStats(long TimersDue, TimeSpan? OldestDueAge, long OutboxPending);
