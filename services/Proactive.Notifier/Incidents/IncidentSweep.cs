using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// Counts, per group, the distinct orders delayed in the trailing window, and opens, extends and
/// resolves incidents (<see cref="IncidentRule.Step"/>). One transaction under one lock across
/// replicas, so two sweeps at once open one incident with one set of alerts; the partial unique
/// index on the open incident per group backs that up.
/// </summary>
public sealed partial class IncidentSweep(
    NoticeStore store,
    IOptions<IncidentOptions> options,
    IncidentMetrics metrics,
    IncidentSweepSignal signal,
    IncidentAlertSignal alertSignal,
    TimeProvider time,
    ILogger<IncidentSweep> logger)
    : BackgroundLoop(time, logger, signal)
{
    protected override bool Enabled => options.Value.Enabled && options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(cancellationToken);
        return null;
    }

    /// <summary>One round; returns the incidents opened and resolved.</summary>
    public async Task<(int Opened, int Resolved)> SweepAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = Time.GetUtcNow();
        var since = now - o.Window;
        var (opened, resolved, open) = await store.InSweepTransactionAsync(
            async session =>
            {
                await session.Incidents.LockSweepAsync();
                await session.Incidents.PruneSignalsAsync(now - (o.Window > IncidentSignals.Retention ? o.Window : IncidentSignals.Retention));
                var counts = await session.Incidents.OrdersPerGroupAsync(since);
                var openIncidents = (await session.Incidents.OpenAsync()).ToDictionary(i => i.GroupKey);
                List<Incident> opened = [], resolved = [];
                foreach (var group in counts.Keys.Union(openIncidents.Keys).Order(StringComparer.Ordinal))
                {
                    var incident = openIncidents.GetValueOrDefault(group);
                    switch (IncidentRule.Step(counts.GetValueOrDefault(group), incident is not null, o))
                    {
                        case IncidentStep.Open:
                            var id = NewId(now);
                            if (await session.Incidents.OpenAsync(id, group, now))
                            {
                                await session.Incidents.AttachAsync(id, group, since);
                                foreach (var channel in o.AlertChannels)
                                {
                                    await session.Incidents.AddAlertAsync(id, channel, now);
                                }

                                opened.Add((await session.Incidents.FindAsync(id))!);
                            }

                            break;
                        case IncidentStep.Extend:
                            await session.Incidents.AttachAsync(incident!.IncidentId, group, since);
                            break;
                        case IncidentStep.Resolve:
                            await session.Incidents.ResolveAsync(incident!.IncidentId, now);
                            resolved.Add(incident);
                            break;
                    }
                }

                return (opened, resolved, await session.Incidents.CountOpenAsync());
            },
            cancellationToken);

        metrics.SetOpen(open);
        foreach (var incident in opened)
        {
            metrics.Opened();
            LogOpened(logger, incident.IncidentId, incident.OrderCount, o.Window, string.Join(", ", incident.Dimensions.Select(d => d.Dimension)));
        }

        foreach (var incident in resolved)
        {
            metrics.Resolved();
            LogResolved(logger, incident.IncidentId);
        }

        if (opened.Count > 0)
        {
            alertSignal.Notify();
        }

        return (opened.Count, resolved.Count);
    }

    /// <summary>Sortable by when it was opened, unique across replicas.</summary>
    private static string NewId(DateTimeOffset now) =>
        $"inc-{now.UtcDateTime:yyyyMMddHHmm}-{Guid.NewGuid().ToString("N")[..8]}";

    // Dimension values (a carrier's name) stay out of the log: the API shows them.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident {IncidentId} opened: {Orders} delayed orders within {Window} with one {Dimensions}")]
    private static partial void LogOpened(ILogger logger, string incidentId, int orders, TimeSpan window, string dimensions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Incident {IncidentId} resolved")]
    private static partial void LogResolved(ILogger logger, string incidentId);
}
