using System.Text.Json.Serialization;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;
using CarrierExceptionCode = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;

namespace Proactive.Notifier;

/// <summary>
/// The news Notifier receives from Tracker, in domain terms. Kept with each notice as JSON, where
/// reason and resolution are written by their contract names ("ETA_SLIP"), as they always were.
/// </summary>
public sealed record EpisodeNews(
    string OrderId,
    string EpisodeId,
    long Sequence,
    EpisodeNewsKind Kind,
    [property: JsonConverter(typeof(WireNameJsonConverter<DelayReason>))] DelayReason Reason,
    string? ExceptionCode,
    bool ActionRequired,
    DateTimeOffset PromisedBy,
    DateTimeOffset? EstimatedDeliveryAt,
    CustomerContact Customer,
    string? TrackingUrl,
    string? Carrier,
    [property: JsonConverter(typeof(WireNameJsonConverter<Resolution>))] Resolution? Resolution,
    DateTimeOffset? OccurredAt = null,
    double? PredictedProbability = null,
    bool RecordOnly = false,
    DateTimeOffset? DeliveredAt = null,
    ParcelPlace? ShipTo = null,
    ParcelPlace? ShipFrom = null,
    int EpisodeCount = 0)
{
    /// <summary>The order was delivered: news of kind Delivered, or a resolution by delivery.</summary>
    public bool IsDelivery => Kind == EpisodeNewsKind.Delivered
        || (Kind == EpisodeNewsKind.Resolved && Resolution == Contracts.Tracker.V1.Resolution.Delivered);

    /// <summary>The change as Tracker published it, in Notifier's terms (empty strings become absent values).</summary>
    public static EpisodeNews From(DelayEpisodeChanged change)
    {
        var customer = change.Customer;
        return new EpisodeNews(
            change.OrderId,
            change.EpisodeId,
            change.Sequence,
            change.Kind switch
            {
                DelayEpisodeChanged.Types.Kind.Detected => EpisodeNewsKind.Detected,
                DelayEpisodeChanged.Types.Kind.Worsened => EpisodeNewsKind.Worsened,
                DelayEpisodeChanged.Types.Kind.Updated => EpisodeNewsKind.Updated,
                DelayEpisodeChanged.Types.Kind.Resolved => EpisodeNewsKind.Resolved,
                DelayEpisodeChanged.Types.Kind.Delivered => EpisodeNewsKind.Delivered,
                var unknown => throw new ArgumentOutOfRangeException(nameof(change), unknown, "data.kind: not a change kind this Notifier knows"),
            },
            change.Reason,
            KnownCode(change.ExceptionCode),
            change.ActionRequired,
            change.PromisedBy.ToDateTimeOffset(),
            change.EstimatedDeliveryAt?.ToDateTimeOffset(),
            new CustomerContact(
                customer.CustomerId,
                NonEmpty(customer.Name),
                NonEmpty(customer.Phone),
                NonEmpty(customer.Email),
                NonEmpty(customer.Locale) ?? "en-US",
                NonEmpty(customer.TimeZone),
                customer.Channels
                    .Where(c => c != Contracts.Events.V1.Channel.Unspecified)
                    .Select(c => c == Contracts.Events.V1.Channel.Sms ? Channel.Sms : Channel.Email)
                    .Distinct()
                    .ToList()),
            NonEmpty(change.TrackingUrl),
            NonEmpty(change.Carrier),
            change.Resolution == Contracts.Tracker.V1.Resolution.Unspecified ? null : change.Resolution,
            change.OccurredAt?.ToDateTimeOffset(),
            Probability(change),
            change.RecordOnly,
            change.DeliveredAt?.ToDateTimeOffset(),
            ParcelPlace.From(change.ShipTo),
            ParcelPlace.From(change.ShipFrom),
            Math.Max(0, change.EpisodeCount));
    }

    /// <summary>The code's contract name; none for no code, or for one this Notifier does not know (a newer Tracker's, a number).</summary>
    private static string? KnownCode(CarrierExceptionCode code) =>
        code != CarrierExceptionCode.Unspecified && Enum.IsDefined(code) ? WireName.Of(code) : null;

    private static string? NonEmpty(string value) => value.Length > 0 ? value : null;

    /// <summary>The model's probability when it is one (NaN or a value outside [0, 1] is left out: it cannot be stored as JSON, nor meant).</summary>
    private static double? Probability(DelayEpisodeChanged change) =>
        change.HasPredictedProbability && change.PredictedProbability is >= 0 and <= 1 ? change.PredictedProbability : null;
}
