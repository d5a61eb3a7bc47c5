using System.Diagnostics.CodeAnalysis;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// An order's folded timeline with what is needed to carry it forward: the key of the newest event
/// folded in (null before any) and how many events it folds (no longer read by this version, which
/// marks its events instead, but by a replica of the version before during a rolling upgrade: keep
/// it). Kept per order in the store (<see cref="TimelineSnapshot"/>), so a new event costs applying
/// it, not folding the order again.
/// </summary>
public sealed record TimelineState(OrderTimeline Timeline, TimelineKey? Last, int EventCount)
{
    public static TimelineState Start(string orderId) => new(OrderTimeline.Start(orderId), null, 0);

    /// <summary>Every stored event of the order folded from the start; the same timeline as <see cref="OrderTimeline.Fold"/>.</summary>
    public static TimelineState Fold(string orderId, IEnumerable<InboundEvent> events) =>
        Start(orderId).ApplySorted(TimelineKey.Sort(events));

    /// <summary>
    /// Carries the fold forward by <paramref name="newEvents"/> (of this order, not yet folded in, in
    /// any order) when every one of them sorts strictly after <see cref="Last"/>: the result is then
    /// exactly what folding all of the order's events gives. False when one sorts at or before
    /// <see cref="Last"/> (a late event, or one already folded) or two of them share a key: the
    /// caller then folds the order again from its stored events. Each event is applied
    /// <see cref="AsStored"/>, so the result is what a fold of the stored events gives.
    /// </summary>
    public bool TryAppend(IReadOnlyList<InboundEvent> newEvents, [NotNullWhen(true)] out TimelineState? next)
    {
        var sorted = TimelineKey.Sort(newEvents.Select(AsStored));
        var previous = Last;
        foreach (var e in sorted)
        {
            var key = TimelineKey.Of(e);
            if (previous is { } p && key <= p)
            {
                next = null;
                return false;
            }

            previous = key;
        }

        next = ApplySorted(sorted);
        return true;
    }

    /// <summary>
    /// The event as the store gives it back: occurredAt in whole milliseconds, UTC (the column is
    /// Unix milliseconds, TrackerStore.TryAddEventAsync). A contract timestamp may carry
    /// nanoseconds, so without this a carried-forward fold could sort two events of one millisecond
    /// otherwise than the fold of the stored events, and keep a finer placedAt or statusAt.
    /// </summary>
    public static InboundEvent AsStored(InboundEvent e)
    {
        var stored = UnixTime.FromMs(e.OccurredAt.ToMs());
        return stored.EqualsExact(e.OccurredAt) ? e : e with { OccurredAt = stored };
    }

    private TimelineState ApplySorted(List<InboundEvent> sorted) => sorted.Count == 0
        ? this
        : new TimelineState(
            sorted.Aggregate(Timeline, (timeline, e) => timeline.Apply(e)),
            TimelineKey.Of(sorted[^1]),
            EventCount + sorted.Count);
}
