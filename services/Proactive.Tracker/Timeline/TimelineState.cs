using System.Diagnostics.CodeAnalysis;
using Proactive.Contracts.Events.V1;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// An order's folded timeline with what is needed to carry it forward: the key of the newest event
/// folded in (null before any), how many events it folds (no longer read by this version, which
/// marks its events instead, but by a replica of the version before during a rolling upgrade: keep
/// it) and, per shipment, which events set the fields a tracking event writes (<see cref="ShipmentKeys"/>;
/// null when not known: a snapshot written by an earlier version). Kept per order in the store
/// (<see cref="TimelineSnapshot"/>), so a new event costs applying it, not folding the order again.
/// </summary>
public sealed record TimelineState(OrderTimeline Timeline, TimelineKey? Last, int EventCount, IReadOnlyList<ShipmentKeys>? Keys = null)
{
    public static TimelineState Start(string orderId) => new(OrderTimeline.Start(orderId), null, 0, []);

    /// <summary>Every stored event of the order folded from the start; the same timeline as <see cref="OrderTimeline.Fold"/>.</summary>
    public static TimelineState Fold(string orderId, IEnumerable<InboundEvent> events) =>
        Start(orderId).ApplySorted(TimelineKey.Sort(events));

    /// <summary>
    /// Carries the fold forward by <paramref name="newEvents"/> (of this order, in any order, none
    /// of them folded in already: the store gives only events it just stored — one folded before
    /// is recognised only when it is the newest, and refused): the result is exactly what folding
    /// all of the order's events gives. The events that sort after <see cref="Last"/> are applied
    /// in order; a late one (sorting before it) is merged in when it is a tracking event and the
    /// shipments' <see cref="Keys"/> are known (<see cref="ShipmentKeys.Merge"/>), or an
    /// order.cancelled (the first cancellation counts).
    /// False for any other late event, one with <see cref="Last"/>'s key (already folded), or two new
    /// events that share a key: the caller then folds the order again from its stored events. Each
    /// event is applied <see cref="AsStored"/>, so the result is what a fold of the stored events gives.
    /// </summary>
    public bool TryAppend(IReadOnlyList<InboundEvent> newEvents, [NotNullWhen(true)] out TimelineState? next)
    {
        next = null;
        var sorted = TimelineKey.Sort(newEvents.Select(AsStored));
        for (var i = 1; i < sorted.Count; i++)
        {
            if (TimelineKey.Of(sorted[i]) == TimelineKey.Of(sorted[i - 1]))
            {
                return false;
            }
        }

        var late = Last is { } last ? sorted.TakeWhile(e => TimelineKey.Of(e) <= last).ToList() : [];
        if (late.Count > 0 && TimelineKey.Of(late[^1]) == Last)
        {
            return false;
        }

        if (late.Count == 0)
        {
            next = ApplySorted(sorted);
            return true;
        }

        var merged = this;
        foreach (var e in late)
        {
            if (!merged.TryMerge(e, out merged))
            {
                return false;
            }
        }

        next = merged.ApplySorted(sorted.GetRange(late.Count, sorted.Count - late.Count));
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
            EventCount + sorted.Count,
            Keys is null ? null : sorted.Aggregate(Keys, KeysAfter));

    /// <summary>The shipments' keys after <paramref name="e"/>, which sorts after every event folded (shipments listed by id, as the timeline lists them).</summary>
    private static IReadOnlyList<ShipmentKeys> KeysAfter(IReadOnlyList<ShipmentKeys> keys, InboundEvent e)
    {
        var shipmentId = e.Data switch
        {
            ShipmentCreated created => created.ShipmentId,
            ShipmentTracking tracking => tracking.ShipmentId,
            _ => null,
        };
        if (shipmentId is null)
        {
            return keys;
        }

        var list = new List<ShipmentKeys>(keys.Count + 1);
        list.AddRange(keys);
        var at = list.FindIndex(k => string.CompareOrdinal(k.ShipmentId, shipmentId) >= 0);
        if (at >= 0 && list[at].ShipmentId == shipmentId)
        {
            list[at] = list[at].After(e);
        }
        else
        {
            list.Insert(at >= 0 ? at : list.Count, new ShipmentKeys(shipmentId, null, null, null).After(e));
        }

        return list;
    }

    /// <summary>
    /// This state with the late event <paramref name="e"/> (new, sorting before <see cref="Last"/>)
    /// folded in, when that can be done exactly without the order's other events; false otherwise.
    /// </summary>
    private bool TryMerge(InboundEvent e, out TimelineState merged)
    {
        merged = this;
        if (e.Data is OrderCancelled)
        {
            if (Timeline.CancelledAt is not { } cancelledAt || e.OccurredAt < cancelledAt)
            {
                merged = this with { Timeline = Timeline with { CancelledAt = e.OccurredAt } };
            }

            merged = merged with { EventCount = EventCount + 1 };
            return true;
        }

        if (e.Data is not ShipmentTracking tracking || Keys is null)
        {
            return false;
        }

        var at = Timeline.Shipments.ToList().FindIndex(s => s.ShipmentId == tracking.ShipmentId);
        if (at < 0)
        {
            // The shipment's first event: folding it is applying it.
            merged = new TimelineState(Timeline.Apply(e), Last, EventCount + 1, KeysAfter(Keys, e));
            return true;
        }

        var keyAt = Keys.ToList().FindIndex(k => k.ShipmentId == tracking.ShipmentId);
        if (keyAt < 0)
        {
            return false;
        }

        var shipments = Timeline.Shipments.ToList();
        var keys = Keys.ToList();
        (shipments[at], keys[keyAt]) = keys[keyAt].Merge(shipments[at], tracking, e);
        merged = new TimelineState(Timeline with { Shipments = shipments }, Last, EventCount + 1, keys);
        return true;
    }
}
