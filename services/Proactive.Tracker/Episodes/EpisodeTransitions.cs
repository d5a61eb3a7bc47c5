using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Episodes;

/// <summary>Compares the open episode with a fresh assessment: open, worsen, update, close or leave it.</summary>
public static class EpisodeTransitions
{
    public static EpisodeChange? Next(string orderId, DelayEpisode? current, int episodesSoFar, DelayAssessment assessment, DateTimeOffset now)
    {
        var open = current is { IsOpen: true } ? current : null;
        if (assessment.State == OrderState.AwaitingOrder)
        {
            return null;
        }

        if (assessment.State != OrderState.Late)
        {
            if (open is null)
            {
                return null;
            }

            var resolution = assessment.State switch
            {
                OrderState.Delivered => Resolution.Delivered,
                OrderState.Cancelled => Resolution.Cancelled,
                _ => Resolution.Recovered,
            };
            // Back on track: the episode closes with the estimate that put it back (the good news quotes it).
            var estimate = resolution == Resolution.Recovered ? assessment.EstimatedDeliveryAt ?? open.EstimatedDeliveryAt : open.EstimatedDeliveryAt;
            return new EpisodeChange(EpisodeChangeKind.Resolved, open with { ClosedAt = now, Resolution = resolution, EstimatedDeliveryAt = estimate });
        }

        if (open is null)
        {
            var number = episodesSoFar + 1;
            return new EpisodeChange(
                EpisodeChangeKind.Detected,
                new DelayEpisode(
                    DelayEpisode.IdFor(orderId, number),
                    orderId,
                    number,
                    assessment.Reason!.Value,
                    assessment.ExceptionCode,
                    assessment.EstimatedDeliveryAt,
                    now));
        }

        var next = open with
        {
            Reason = assessment.Reason!.Value,
            ExceptionCode = assessment.ExceptionCode,
            EstimatedDeliveryAt = assessment.EstimatedDeliveryAt,
        };
        if (next == open)
        {
            return null;
        }

        var later = next.EstimatedDeliveryAt > (open.EstimatedDeliveryAt ?? DateTimeOffset.MinValue);
        var mustActNow = next.ActionRequired && !open.ActionRequired;
        return new EpisodeChange(later || mustActNow ? EpisodeChangeKind.Worsened : EpisodeChangeKind.Updated, next);
    }
}
