using Microsoft.Extensions.Options;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// Notes each delay episode's cause (carrier, destination, lane, exception) for the incident sweep,
/// in the caller's unit of work: once per episode, at its first confirmed news (a forecast counts
/// only when a later news confirms it; news lacking a dimension of the group key is not noted).
/// </summary>
public sealed class IncidentSignals(IOptions<IncidentOptions> options, IncidentSweepSignal sweep)
{
    /// <summary>How long signals are kept: long enough for any window, pruned by the sweep.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    public async Task OnNewsAsync(NotifierSession session, EpisodeNews news, DateTimeOffset now)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        var (signal, _) = IncidentRule.SignalOf(news, o.GroupDimensions, now);
        if (signal is not null && await session.Incidents.AddSignalAsync(signal))
        {
            // Before the commit: at worst the sweep runs too early and the next poll counts it.
            sweep.Notify();
        }
    }
}
