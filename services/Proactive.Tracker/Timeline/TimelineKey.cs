using Proactive.Tracker.Events;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// Where an event sits in the fold: by occurredAt, ties broken by source then id (ordinal). Two
/// stored events of one order never share a key, since (source, id) is unique in the store.
/// </summary>
public readonly record struct TimelineKey(DateTimeOffset OccurredAt, string Source, string Id) : IComparable<TimelineKey>
{
    public static TimelineKey Of(InboundEvent e) => new(e.OccurredAt, e.Source, e.Id);

    public int CompareTo(TimelineKey other)
    {
        var byTime = OccurredAt.CompareTo(other.OccurredAt);
        if (byTime != 0)
        {
            return byTime;
        }

        var bySource = string.CompareOrdinal(Source, other.Source);
        return bySource != 0 ? bySource : string.CompareOrdinal(Id, other.Id);
    }

    /// <summary>The events in fold order (a stable sort: events with equal keys keep their given order).</summary>
    public static List<InboundEvent> Sort(IEnumerable<InboundEvent> events) => events.OrderBy(Of).ToList();

    public static bool operator <(TimelineKey left, TimelineKey right) => left.CompareTo(right) < 0;

    public static bool operator >(TimelineKey left, TimelineKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(TimelineKey left, TimelineKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(TimelineKey left, TimelineKey right) => left.CompareTo(right) >= 0;
}
