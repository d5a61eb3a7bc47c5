using System.Diagnostics.Metrics;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// Incidents on Notifier's meter: opened and resolved, open now, and alerts by channel and outcome.
/// No carrier or destination tag: they are free text from upstream (unbounded cardinality); the
/// API shows them.
/// </summary>
public sealed class IncidentMetrics
{
    private readonly Counter<long> incidents;
    private readonly Counter<long> alerts;
    private long open;

    public IncidentMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NotifierMetrics.MeterName);
        incidents = meter.CreateCounter<long>(
            "proactive.notifier.incidents", "{incident}", "Incidents (many delays with one cause within the window) by outcome: opened, resolved.");
        alerts = meter.CreateCounter<long>(
            "proactive.notifier.incident_alerts", "{alert}", "Incident alert attempts by channel (webhook, email) and outcome (sent, retry, failed).");
        meter.CreateObservableGauge("proactive.notifier.incidents.open", () => Interlocked.Read(ref open), "{incident}", "Incidents open now (as of the last sweep).");
    }

    public void Opened() => incidents.Add(1, new KeyValuePair<string, object?>("outcome", "opened"));

    public void Resolved() => incidents.Add(1, new KeyValuePair<string, object?>("outcome", "resolved"));

    public void SetOpen(long count) => Interlocked.Exchange(ref open, count);

    public void Alert(string channel, string outcome) =>
        alerts.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));
}
