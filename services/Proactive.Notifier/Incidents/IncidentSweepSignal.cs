using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Incidents;

/// <summary>Wakes the incident sweep when a new delay has been noted.</summary>
public sealed class IncidentSweepSignal : WorkSignal;

/// <summary>Wakes the alerter when the sweep has opened an incident.</summary>
public sealed class IncidentAlertSignal : WorkSignal;
