using System.Text;
using System.Text.Json.Serialization;
using Proactive.Notifier;
using Proactive.Notifier.Store;
using Proactive.Tracker;
using Proactive.Tracker.Store;
using Proactive.Tracker.Timeline;

namespace Proactive.Standalone.Replay;

/// <summary>One notice on one channel, as notices.jsonl carries it. Times are virtual.</summary>
public sealed record NoticeLine(
    string OrderId,
    string EpisodeId,
    string NoticeId,
    string Kind,
    string Reason,
    string Channel,
    string Status,
    string? Why,
    DateTimeOffset DecidedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? PromisedBy,
    DateTimeOffset? EstimatedDeliveryAt,
    double? PredictedProbability,
    string Locale,
    string? Subject,
    string Text,
    string? Template = null)
{
    [JsonIgnore]
    public bool IsSent => Status == "SENT";

    /// <summary>Bad news (a delay, a warning, a call to act), as opposed to good news.</summary>
    [JsonIgnore]
    public bool IsWarning => Kind is not ("BACK_ON_TRACK" or "SURVEY");
}

/// <summary>One delay episode, as episodes.jsonl carries it.</summary>
public sealed record EpisodeLine(
    string OrderId,
    string EpisodeId,
    int Number,
    string Reason,
    string? ExceptionCode,
    DateTimeOffset? EstimatedDeliveryAt,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt,
    string? Resolution);

/// <summary>How an order ended, from Tracker's own fold of its events.</summary>
public sealed record OrderOutcome(string OrderId, DateTimeOffset PromisedBy, DateTimeOffset? DeliveredAt, DateTimeOffset? CancelledAt)
{
    /// <summary>Delivered after the promise, or never delivered and not cancelled.</summary>
    public bool IsLate => DeliveredAt is { } delivered ? delivered > PromisedBy : CancelledAt is null;
}

/// <summary>Everything a replay left in the store, read back per order, in a stable order.</summary>
public sealed record ReplayRecords(IReadOnlyList<OrderOutcome> Orders, IReadOnlyList<NoticeLine> Notices, IReadOnlyList<EpisodeLine> Episodes, int OrdersWithoutTerms)
{
    public static async Task<ReplayRecords> ReadAsync(TrackerStore trackerStore, NoticeStore noticeStore, IEnumerable<string> orderIds, CancellationToken cancellationToken)
    {
        var orders = new List<OrderOutcome>();
        var notices = new List<NoticeLine>();
        var episodes = new List<EpisodeLine>();
        var withoutTerms = 0;
        await trackerStore.ReadAsync(
            async reads =>
            {
                foreach (var orderId in orderIds.Order(StringComparer.Ordinal))
                {
                    await ReadOrderAsync(reads, orderId);
                }

                return 0;
            },
            cancellationToken);
        return new ReplayRecords(orders, notices, episodes, withoutTerms);

        async Task ReadOrderAsync(TrackerReads reads, string orderId)
        {
            var timeline = OrderTimeline.Fold(orderId, await reads.EventsAsync(orderId));
            if (timeline.Terms is { } terms)
            {
                var delivered = timeline.IsDelivered ? timeline.Shipments.Max(s => s.StatusAt) : null;
                orders.Add(new OrderOutcome(orderId, terms.PromisedBy, delivered, timeline.CancelledAt));
            }
            else
            {
                withoutTerms++;
            }

            episodes.AddRange((await reads.EpisodesAsync(orderId)).Select(e => new EpisodeLine(
                e.OrderId,
                e.EpisodeId,
                e.Number,
                Names.Of(e.Reason),
                e.ExceptionCode is { } code ? Names.Of(code) : null,
                e.EstimatedDeliveryAt,
                e.OpenedAt,
                e.ClosedAt,
                e.Resolution is { } resolution ? Names.Of(resolution) : null)));
            notices.AddRange((await noticeStore.ReadAsync(r => r.NoticesForOrderAsync(orderId), cancellationToken)).Select(n => new NoticeLine(
                n.OrderId,
                n.EpisodeId,
                n.NoticeId,
                Names.Snake(n.Kind.ToString()),
                Contracts.WireName.Of(n.Reason),
                Names.Snake(n.Channel.ToString()),
                Names.Snake(n.Status.ToString()),
                n.Why,
                n.DecidedAt,
                n.WasSent ? n.SentAt : null,
                n.News?.PromisedBy,
                n.EstimatedDeliveryAt,
                n.PredictedProbability,
                n.Locale,
                n.Subject,
                n.Text,
                n.Template)));
        }
    }
}
