using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Episodes;

public enum Resolution
{
    Delivered,
    Recovered,
    Cancelled,
}

/// <summary>
/// One stretch of time during which an order is late: it opens when a rule fires and closes when
/// the order is delivered, cancelled, or back within its promise.
/// </summary>
public sealed record DelayEpisode(
    string EpisodeId,
    string OrderId,
    int Number,
    DelayReason Reason,
    CarrierExceptionCode? ExceptionCode,
    DateTimeOffset? EstimatedDeliveryAt,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt = null,
    Resolution? Resolution = null)
{
    public bool IsOpen => ClosedAt is null;

    public bool ActionRequired => ExceptionCode == CarrierExceptionCode.AddressIssue;

    public static string IdFor(string orderId, int number) => $"{orderId}/delay-{number}";
}
