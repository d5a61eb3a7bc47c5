using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;
using Address = Proactive.Contracts.Events.V1.Address;
using CarrierExceptionContract = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;
using DelayReason = Proactive.Tracker.Rules.DelayReason;
using Resolution = Proactive.Tracker.Episodes.Resolution;

namespace Proactive.Tracker.Publishing;

/// <summary>Tracker's side of the contract with Notifier: an episode change as the message it publishes.</summary>
public static class EpisodeMessage
{
    /// <param name="prediction">The order's prediction record, read for a <c>PREDICTED_LATE</c> episode.</param>
    public static DelayEpisodeChanged From(
        EpisodeChange change,
        OrderTimeline timeline,
        DelayAssessment assessment,
        OrderPrediction? prediction,
        long sequence,
        DateTimeOffset now)
    {
        var episode = change.Episode;
        var message = Common(timeline, sequence, now, assessment.Carrier);
        message.EpisodeId = episode.EpisodeId;
        message.Kind = change.Kind switch
        {
            EpisodeChangeKind.Detected => DelayEpisodeChanged.Types.Kind.Detected,
            EpisodeChangeKind.Worsened => DelayEpisodeChanged.Types.Kind.Worsened,
            EpisodeChangeKind.Updated => DelayEpisodeChanged.Types.Kind.Updated,
            _ => DelayEpisodeChanged.Types.Kind.Resolved,
        };
        message.Reason = Contract(episode.Reason);
        message.ExceptionCode = ExceptionCode(episode);
        message.ActionRequired = episode.ActionRequired;
        message.Resolution = episode.Resolution is { } resolution ? Contract(resolution) : Contracts.Tracker.V1.Resolution.Unspecified;
        // Episodes are numbered 1, 2, ... and a change is always about the order's newest one.
        message.EpisodeCount = episode.Number;
        if (episode.EstimatedDeliveryAt is { } eta)
        {
            message.EstimatedDeliveryAt = Timestamp.FromDateTimeOffset(eta);
        }

        if (episode.Resolution == Resolution.Delivered && timeline.DeliveredAt is { } deliveredAt)
        {
            message.DeliveredAt = Timestamp.FromDateTimeOffset(deliveredAt);
        }

        if (episode.Reason == DelayReason.PredictedLate)
        {
            if (prediction?.Probability is { } probability)
            {
                message.PredictedProbability = probability;
            }

            message.RecordOnly = prediction?.RaisedIn == PredictionMode.Internal;
        }

        return message;
    }

    /// <summary>
    /// The order was delivered with no episode open: <c>DELIVERED</c>, naming its last (closed)
    /// episode and that episode's reason, or none when it was never late.
    /// </summary>
    public static DelayEpisodeChanged Delivered(OrderTimeline timeline, IReadOnlyList<DelayEpisode> episodes, long sequence, DateTimeOffset now)
    {
        var last = episodes.Count > 0 ? episodes[^1] : null;
        var message = Common(timeline, sequence, now, carrier: null);
        message.Kind = DelayEpisodeChanged.Types.Kind.Delivered;
        message.EpisodeId = last?.EpisodeId ?? "";
        message.Reason = last is null ? Contracts.Tracker.V1.DelayReason.Unspecified : Contract(last.Reason);
        message.ExceptionCode = last is null ? CarrierExceptionContract.Unspecified : ExceptionCode(last);
        message.EpisodeCount = episodes.Count;
        if (timeline.DeliveredAt is { } deliveredAt)
        {
            message.DeliveredAt = Timestamp.FromDateTimeOffset(deliveredAt);
        }

        return message;
    }

    /// <summary>What every message says of the order: its promise, customer, carrier and places.</summary>
    private static DelayEpisodeChanged Common(OrderTimeline timeline, long sequence, DateTimeOffset now, string? carrier)
    {
        var terms = timeline.Terms!;
        return new DelayEpisodeChanged
        {
            OrderId = timeline.OrderId,
            Sequence = sequence,
            PromisedBy = Timestamp.FromDateTimeOffset(terms.PromisedBy),
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            Customer = terms.Customer,
            TrackingUrl = terms.TrackingUrl ?? "",
            Carrier = carrier ?? timeline.Shipments.FirstOrDefault(s => s.Carrier is not null)?.Carrier ?? "",
            ShipTo = Coarse(terms.ShipTo),
            ShipFrom = Coarse(timeline.Shipments.Count > 0 ? timeline.ShipFromOf(timeline.Shipments[0]) : terms.ShipFrom),
        };
    }

    /// <summary>The place as country and region only: a postal code is not needed downstream.</summary>
    private static Address? Coarse(Place? place) =>
        place is null ? null : new Address { Country = place.Country, Region = place.Region ?? "" };

    /// <summary>The contract's code of the same name ("WEATHER"), or none.</summary>
    private static CarrierExceptionContract ExceptionCode(DelayEpisode episode) =>
        episode.ExceptionCode is { } code ? WireName.Parse<CarrierExceptionContract>(Names.Of(code)) : CarrierExceptionContract.Unspecified;

    /// <summary>The outbox row that publishes <paramref name="message"/>: one per order and sequence.</summary>
    public static OutgoingEvent ToOutbox(string orderId, long sequence, DelayEpisodeChanged message, string? traceParent, string? traceState) =>
        new(0, $"{orderId}/{sequence}", Topics.Notices, CloudEventTypes.DelayEpisodeChanged, orderId, message, traceParent, traceState);

    /// <summary>The contract's reason of the same name ("ETA_SLIP").</summary>
    public static Contracts.Tracker.V1.DelayReason Contract(DelayReason reason) =>
        WireName.Parse<Contracts.Tracker.V1.DelayReason>(Names.Of(reason));

    /// <summary>The contract's resolution of the same name ("RECOVERED").</summary>
    public static Contracts.Tracker.V1.Resolution Contract(Resolution resolution) =>
        WireName.Parse<Contracts.Tracker.V1.Resolution>(Names.Of(resolution));
}
