using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// The newest snapshot of the order: the promise and how to reach the customer; where it ships from
/// and to and who fulfils it, when the shop says (for the lateness model; no rule uses them).
/// </summary>
public sealed record OrderTerms(
    DateTimeOffset PromisedBy,
    DateTimeOffset? ShipBy,
    Customer Customer,
    string? TrackingUrl,
    DateTimeOffset AsOf,
    Place? ShipFrom = null,
    Place? ShipTo = null,
    string? FulfilledBy = null)
{
    public static OrderTerms From(OrderSnapshot snapshot) => new(
        snapshot.PromisedBy.ToDateTimeOffset(),
        snapshot.ShipBy?.ToDateTimeOffset(),
        snapshot.Customer,
        snapshot.TrackingUrl.Length > 0 ? snapshot.TrackingUrl : null,
        snapshot.OccurredAt.ToDateTimeOffset(),
        Place.From(snapshot.ShipFrom),
        Place.From(snapshot.ShipTo),
        snapshot.FulfilledBy.Length > 0 ? snapshot.FulfilledBy : null);
}
