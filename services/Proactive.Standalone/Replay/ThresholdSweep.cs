using Proactive.CxConsole.Backtest;
using Proactive.Tracker.Prediction;

namespace Proactive.Standalone.Replay;

/// <summary>
/// What the prediction would have done at other thresholds, from the assessments Tracker makes at
/// the configured one: for each threshold, the first instant each order's probability reached it.
/// At an assessment, a threshold already reached gives that instant; otherwise the model says when
/// it would be reached before the next assessment (<see cref="DeliveryModel.NextCrossing(OrderFacts, DateTimeOffset, DateTimeOffset, double)"/>).
/// That crossing is kept pending: it is final once the next assessment or the order's close comes
/// at or after it, and replaced if one comes before (the model knows more by then).
/// </summary>
public sealed class ThresholdSweep(IReadOnlyList<double> thresholds) : IPredictionObserver
{
    private readonly double[] thresholds = [.. thresholds];
    private readonly Dictionary<string, Order> orders = new(StringComparer.Ordinal);

    /// <summary>0.30 to 0.95 by 0.05, and the configured threshold if it is not one of them.</summary>
    public static IReadOnlyList<double> Grid(double configured) =>
        [.. Enumerable.Range(0, 14).Select(i => Math.Round(0.30 + (0.05 * i), 2)).Append(configured).Distinct().Order()];

    public IReadOnlyList<double> Thresholds => thresholds;

    /// <summary>How many assessments were seen: none means the prediction was off or never ready.</summary>
    public int Assessments { get; private set; }

    public void Assessed(string orderId, DateTimeOffset at, OrderFacts facts, DeliveryModel model, LatenessForecast forecast) =>
        Assessed(orderId, at, forecast.Probability, threshold => model.NextCrossing(facts, at, forecast.NextAssessmentAt, threshold), forecast.NextAssessmentAt);

    /// <summary>
    /// One assessment at <paramref name="at"/>: the probability then, and when each threshold would be
    /// reached before <paramref name="nextAssessmentAt"/> (<paramref name="crossing"/> answers
    /// <paramref name="nextAssessmentAt"/> itself when it is not).
    /// </summary>
    public void Assessed(string orderId, DateTimeOffset at, double? probability, Func<double, DateTimeOffset> crossing, DateTimeOffset nextAssessmentAt)
    {
        Assessments++;
        var order = OrderOf(orderId);
        order.Settle(at);
        for (var i = 0; i < thresholds.Length; i++)
        {
            if (order.FirstWarning[i] is not null)
            {
                continue;
            }

            if (probability >= thresholds[i])
            {
                order.FirstWarning[i] = at;
            }
            else if (crossing(thresholds[i]) is var t && t < nextAssessmentAt)
            {
                order.Pending[i] = t < at ? at : t;
            }
        }
    }

    public void Closed(string orderId, DateTimeOffset at, bool delivered)
    {
        if (orders.TryGetValue(orderId, out var order))
        {
            order.Settle(at);
            Array.Fill(order.Pending, null);
        }
    }

    /// <summary>
    /// The first instant each threshold was reached, per order (null: never). A crossing still
    /// pending had nothing after it (no assessment, no close), so it happened.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset?[]> FirstWarnings() =>
        orders.ToDictionary(o => o.Key, o => o.Value.FirstWarning.Zip(o.Value.Pending, (first, pending) => first ?? pending).ToArray(), StringComparer.Ordinal);

    private Order OrderOf(string orderId)
    {
        if (!orders.TryGetValue(orderId, out var order))
        {
            order = new Order(thresholds.Length);
            orders.Add(orderId, order);
        }

        return order;
    }

    private sealed class Order(int thresholds)
    {
        public DateTimeOffset?[] FirstWarning { get; } = new DateTimeOffset?[thresholds];

        public DateTimeOffset?[] Pending { get; } = new DateTimeOffset?[thresholds];

        /// <summary>Something new is known at <paramref name="at"/>: a crossing due by then happened; a later one is forgotten.</summary>
        public void Settle(DateTimeOffset at)
        {
            for (var i = 0; i < Pending.Length; i++)
            {
                if (Pending[i] is { } t && t <= at)
                {
                    FirstWarning[i] = t;
                }

                Pending[i] = null;
            }
        }
    }
}

/// <summary>The sweep joined with how the orders ended: report.json's <see cref="SweepReport"/> (in the console library), made with <c>SweepReport.From(…)</c>.</summary>
public static class SweepReportBuilder
{
    extension(SweepReport)
    {
        public static SweepReport From(ThresholdSweep sweep, double configured, IReadOnlyList<OrderOutcome> orders)
        {
            var warnings = sweep.FirstWarnings();
            var late = orders.Where(o => o.IsLate).ToList();
            var rows = sweep.Thresholds.Select((threshold, i) =>
            {
                DateTimeOffset? First(OrderOutcome o) => warnings.TryGetValue(o.OrderId, out var w) ? w[i] : null;
                var warned = orders.Where(o => First(o) is not null).ToList();
                var warnedLate = warned.Count(o => o.IsLate);
                var ahead = late.Where(o => First(o) < o.PromisedBy).ToList();
                var median = LeadTimes.Of([.. ahead.Select(o => (o.PromisedBy - First(o)!.Value).TotalHours)]).P50;
                return new SweepRow(
                    threshold,
                    warned.Count,
                    warnedLate,
                    warned.Count == 0 ? null : Math.Round((double)warnedLate / warned.Count, 4),
                    ahead.Count,
                    late.Count == 0 ? null : Math.Round((double)ahead.Count / late.Count, 4),
                    median);
            }).ToList();
            return new SweepReport(configured, sweep.Assessments, rows);
        }
    }
}
