using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;
using DelayReason = Proactive.Tracker.Rules.DelayReason;
using Resolution = Proactive.Tracker.Episodes.Resolution;

namespace Proactive.Tracker.Publishing;

/// <summary>Tracker's side of the contract with Notifier: an episode change as the message it publishes.</summary>
public static class EpisodeMessage
{
    /// <param name="prediction">The order's prediction record, read for a <c>PREDICTED_LATE</c> episode.</param>
    public static DelayEpisodeChanged From(
        EpisodeChange change,
        OrderTerms terms,
        DelayAssessment assessment,
        OrderPrediction? prediction,
        long sequence,
        DateTimeOffset now)
    {
        var episode = change.Episode;
        var message = new DelayEpisodeChanged
        {
            OrderId = episode.OrderId,
            EpisodeId = episode.EpisodeId,
            Sequence = sequence,
            Kind = change.Kind switch
            {
                EpisodeChangeKind.Detected => DelayEpisodeChanged.Types.Kind.Detected,
                EpisodeChangeKind.Worsened => DelayEpisodeChanged.Types.Kind.Worsened,
                EpisodeChangeKind.Updated => DelayEpisodeChanged.Types.Kind.Updated,
                _ => DelayEpisodeChanged.Types.Kind.Resolved,
            },
            Reason = Contract(episode.Reason),
            ExceptionCode = episode.ExceptionCode is { } code ? Names.Of(code) : "",
            ActionRequired = episode.ActionRequired,
            PromisedBy = Timestamp.FromDateTimeOffset(terms.PromisedBy),
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            Resolution = episode.Resolution is { } resolution ? Contract(resolution) : Contracts.Tracker.V1.Resolution.Unspecified,
            Customer = terms.Customer,
            TrackingUrl = terms.TrackingUrl ?? "",
            Carrier = assessment.Carrier ?? "",
        };
        if (episode.EstimatedDeliveryAt is { } eta)
        {
            message.EstimatedDeliveryAt = Timestamp.FromDateTimeOffset(eta);
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
