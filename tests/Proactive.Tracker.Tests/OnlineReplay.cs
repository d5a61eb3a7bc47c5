using System.Globalization;
using System.Text.Json.Nodes;
using Proactive.Tracker.Prediction;

namespace Proactive.Tracker.Tests;

/// <summary>
/// Streams contract events in time order through a <see cref="DeliveryModel"/> as the Tracker would: it
/// learns from each delivery as it happens, assesses an order at each of its events and on its due-timer,
/// and records the first instant each order is at risk. Then scores the warnings as the study does.
/// </summary>
internal sealed class OnlineReplay(DeliveryModel model, DateTimeOffset scoreFrom)
{
    private static readonly TimeOnly QuietFrom = new(21, 0);
    private static readonly TimeOnly QuietUntil = new(8, 0);

    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly PriorityQueue<(string OrderId, int Version), (long Ticks, long Seq)> _due = new();
    private long _seq;

    public DeliveryModel Model => model;

    public long Assessments { get; private set; }

    private sealed class Order(OrderFacts facts)
    {
        public OrderFacts Facts { get; set; } = facts;
        public DateTimeOffset? DeliveredAt { get; set; }
        public DateTimeOffset? CancelledAt { get; set; }
        public DateTimeOffset? WarnedAt { get; set; }
        public bool Open { get; set; } = true;
        public int Version { get; set; }
    }

    public void Run(IEnumerable<JsonObject> cloudEvents)
    {
        foreach (var cloudEvent in cloudEvents)
        {
            var data = cloudEvent["data"]!.AsObject();
            var at = DateTimeOffset.Parse((string)data["occurredAt"]!, CultureInfo.InvariantCulture);
            RunTimers(at);
            On((string)cloudEvent["type"]!, data, at);
        }

        RunTimers(DateTimeOffset.MaxValue);
    }

    private void On(string type, JsonObject data, DateTimeOffset at)
    {
        var orderId = (string)data["orderId"]!;
        if (type == "proactive.order.placed.v1")
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById((string?)data["customer"]?["timeZone"] ?? "UTC");
            _orders[orderId] = new Order(new OrderFacts(
                zone,
                at,
                DateTimeOffset.Parse((string)data["promisedBy"]!, CultureInfo.InvariantCulture),
                ShipFrom: (string?)data["shipFrom"]?["region"],
                ShipTo: (string?)data["shipTo"]?["region"],
                FulfilledBy: (string?)data["fulfilledBy"]));
            Assess(orderId, at);
            return;
        }

        if (!_orders.TryGetValue(orderId, out var order))
        {
            return;
        }

        switch (type)
        {
            case "proactive.order.cancelled.v1":
                order.CancelledAt ??= at;
                Close(order);
                break;
            case "proactive.shipment.created.v1":
                order.Facts = order.Facts with { HandedOverAt = at, Carrier = (string?)data["carrier"], ServiceLevel = (string?)data["serviceLevel"] };
                Assess(orderId, at);
                break;
            case "proactive.shipment.tracking.v1" when (string?)data["status"] == "DELIVERED":
                order.DeliveredAt ??= at;
                Close(order);
                model.Learn(order.Facts, at);
                break;
            case "proactive.shipment.tracking.v1":
                Assess(orderId, at);
                break;
        }
    }

    private void Close(Order order)
    {
        order.Open = false;
        order.Version++;
    }

    private void RunTimers(DateTimeOffset until)
    {
        while (_due.TryPeek(out var item, out var when) && when.Ticks <= until.UtcTicks)
        {
            _due.Dequeue();
            if (_orders[item.OrderId] is { Open: true } order && order.Version == item.Version)
            {
                Assess(item.OrderId, new DateTimeOffset(when.Ticks, TimeSpan.Zero));
            }
        }
    }

    private void Assess(string orderId, DateTimeOffset now)
    {
        var order = _orders[orderId];
        if (!order.Open || order.WarnedAt is not null || order.Facts.PlacedAt < scoreFrom)
        {
            return;
        }

        Assessments++;
        var forecast = model.Assess(order.Facts, now);
        order.Version++;
        if (forecast is null)
        {
            return;
        }

        if (forecast.AtRisk)
        {
            order.WarnedAt = now;
            return;
        }

        if (forecast.NextAssessmentAt < order.Facts.PromisedBy)
        {
            _due.Enqueue((orderId, order.Version), (Math.Max(forecast.NextAssessmentAt.UtcTicks, now.UtcTicks + 1), _seq++));
        }
    }

    public Score Score()
    {
        int scored = 0, late = 0, warned = 0, truePositives = 0;
        var leads = new List<double>();
        foreach (var order in _orders.Values.Where(o => o.Facts.PlacedAt >= scoreFrom))
        {
            scored++;
            var isLate = order.DeliveredAt is { } d ? d > order.Facts.PromisedBy : order.CancelledAt is null;
            late += isLate ? 1 : 0;
            if (order.WarnedAt is not { } w)
            {
                continue;
            }

            // A warning counts if it is sent (after quiet hours) before the promise, the delivery and a cancellation.
            var sent = SentAt(order.Facts.Zone, w);
            var end = new[] { order.Facts.PromisedBy, order.DeliveredAt ?? DateTimeOffset.MaxValue, order.CancelledAt ?? DateTimeOffset.MaxValue }.Min();
            if (sent >= end)
            {
                continue;
            }

            warned++;
            if (isLate)
            {
                truePositives++;
                leads.Add((order.Facts.PromisedBy - sent).TotalHours);
            }
        }

        leads.Sort();
        return new Score(scored, late, warned, truePositives, leads.Count == 0 ? double.NaN : leads[leads.Count / 2]);
    }

    private static DateTimeOffset SentAt(TimeZoneInfo zone, DateTimeOffset decidedAt)
    {
        var local = TimeZoneInfo.ConvertTime(decidedAt, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (time >= QuietUntil && time < QuietFrom)
        {
            return decidedAt;
        }

        var date = DateOnly.FromDateTime(local.DateTime);
        if (time >= QuietFrom)
        {
            date = date.AddDays(1);
        }

        var morning = date.ToDateTime(QuietUntil);
        return new DateTimeOffset(morning, zone.GetUtcOffset(morning));
    }
}

internal sealed record Score(int Orders, int Late, int Warned, int TruePositives, double MedianLeadHours)
{
    public double Precision => Warned == 0 ? 0 : (double)TruePositives / Warned;

    public double Recall => Late == 0 ? 0 : (double)TruePositives / Late;

    public override string ToString() =>
        $"orders {Orders}, late {Late}, warned {Warned}, precision {Precision:F3}, recall {Recall:F3}, median lead {MedianLeadHours:F0} h";
}
