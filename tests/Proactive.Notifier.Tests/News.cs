using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier.Tests;

internal static class News
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Promise = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static CustomerContact Korean(params Channel[] channels) =>
        new("C-77", "김민지", "+821012345678", "minji@example.com", "ko-KR", "Asia/Seoul", channels);

    public static CustomerContact English(params Channel[] channels) =>
        new("C-88", "Alex <Morgan> & Co", "+14155550123", "alex@example.com", "en-US", "America/New_York", channels);

    public static EpisodeNews Detected(CustomerContact? customer = null, DateTimeOffset? eta = null, DelayReason reason = DelayReason.EtaSlip, string? code = null, long sequence = 1) =>
        new("A-1001", "A-1001/delay-1", sequence, EpisodeNewsKind.Detected, reason, code, code == "ADDRESS_ISSUE", Promise, eta ?? Promise.AddDays(2),
            customer ?? Korean(), "https://shop.example/orders/A-1001", "CJ Logistics", null);

    public static EpisodeNews Worsened(DateTimeOffset eta, long sequence, DelayReason reason = DelayReason.EtaSlip, string? code = null) =>
        Detected(eta: eta, reason: reason, code: code, sequence: sequence) with { Kind = EpisodeNewsKind.Worsened };

    /// <summary>News the delivery-time model gives: the order may arrive late, around <paramref name="eta"/>.</summary>
    public static EpisodeNews Predicted(CustomerContact? customer = null, DateTimeOffset? eta = null, double probability = 0.8, bool recordOnly = false, long sequence = 1) =>
        Detected(customer, eta, DelayReason.PredictedLate, sequence: sequence) with { PredictedProbability = probability, RecordOnly = recordOnly };

    public static NoticeRecord Told(
        EpisodeNews news, Channel channel, DateTimeOffset at, NoticeStatus status = NoticeStatus.Sent, string? episodeId = null, NoticeKind kind = NoticeKind.Delay) =>
        new(NoticeRecord.IdFor(episodeId ?? news.EpisodeId, news.Sequence, channel), news.OrderId, episodeId ?? news.EpisodeId, news.Sequence, channel, kind,
            news.Reason, status, null, at, at, status == NoticeStatus.Sent ? at : null, 1, "SM1", null, "x", news.Customer.Locale, null, "text", null,
            news.EstimatedDeliveryAt, news.ActionRequired);
}
