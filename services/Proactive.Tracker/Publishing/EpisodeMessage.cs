using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Tracker.V1;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;

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
            Reason = Names.Of(episode.Reason),
            ExceptionCode = episode.ExceptionCode is { } code ? Names.Of(code) : "",
            ActionRequired = episode.ActionRequired,
            PromisedBy = Timestamp.FromDateTimeOffset(terms.PromisedBy),
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            Resolution = episode.Resolution is { } resolution ? Names.Of(resolution) : "",
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
}
