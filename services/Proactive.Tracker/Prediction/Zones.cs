using System.Collections.Concurrent;

namespace Proactive.Tracker.Prediction;

/// <summary>IANA zones by id, looked up once each (an unknown or empty id is null).</summary>
public static class Zones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Known = new(StringComparer.Ordinal);

    public static TimeZoneInfo? Find(string? id) =>
        string.IsNullOrEmpty(id) ? null : Known.GetOrAdd(id, static id => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null);
}
