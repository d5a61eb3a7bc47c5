using System.Globalization;
using System.Text;

namespace Proactive.Standalone.Replay;

/// <summary>Nearest-rank percentiles of a sample, in hours, and how many values it holds.</summary>
public sealed record LeadTimes(int Count, double? P10, double? P50, double? P90)
{
    public static LeadTimes Of(IReadOnlyCollection<double> hours)
    {
        var sorted = hours.Order().ToArray();
        double? At(double p) => sorted.Length == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 1) + 0.0; // + 0.0: no "-0"
        return new(sorted.Length, At(0.10), At(0.50), At(0.90));
    }
}

/// <summary>
/// One bar of the lead-time histogram: the late orders told whose lead (promise − first warning) lies
/// in [FromHours, FromHours + <see cref="Hours"/>); negative: told after the promise. The replay's
/// lead-time.svg and the console's chart are drawn from these bins.
/// </summary>
public sealed record LeadTimeBin(double FromHours, int Orders)
{
    public const double Hours = 12;

    /// <summary>12-hour bins of the leads, from the earliest to the latest, empty bins left out.</summary>
    public static List<LeadTimeBin> Of(IEnumerable<double> hours) =>
        [.. hours.GroupBy(h => Math.Floor(h / Hours)).OrderBy(g => g.Key).Select(g => new LeadTimeBin((g.Key * Hours) + 0.0, g.Count()))];
}

public sealed record BadLineEntry(int Line, string Errors);

/// <summary>
/// A replay's figures, computed from the same records written to notices.jsonl, so they agree with
/// it. <see cref="LeadTimeHistogram"/> is null in reports written before it was added. "Told" means a warning (any kind but BACK_ON_TRACK and SURVEY) was sent on some channel; a notice is one
/// piece of news (an episode and sequence), however many channels carried it.
/// </summary>
public sealed record ReplayReport(
    int Events,
    int EventsAccepted,
    int Orders,
    int OrdersWithoutTerms,
    int Delivered,
    int Cancelled,
    int Late,
    int LateToldBeforePromise,
    double? ShareOfLateToldBeforePromise,
    int LateToldAfterPromise,
    int LateNeverTold,
    LeadTimes LeadTimeHours,
    IReadOnlyDictionary<string, int> OrdersByNoticesSent,
    IReadOnlyDictionary<string, int> NoticesSentByReason,
    IReadOnlyDictionary<string, int> NoticeLinesByStatus,
    int WarningsProvedWrong,
    int BadLines,
    IReadOnlyList<BadLineEntry> BadLineDetails,
    string? FirstEventAt,
    string? ClockEndedAt,
    SweepReport ThresholdSweep,
    IReadOnlyList<LeadTimeBin>? LeadTimeHistogram = null)
{
    public static ReplayReport From(ReplayRecords records, int events, IReadOnlyList<BadLine> bad, DateTimeOffset? firstEventAt, DateTimeOffset clockEndedAt, SweepReport sweep)
    {
        var firstWarning = FirstWarnings(records);
        var late = records.Orders.Where(o => o.IsLate).ToList();
        var toldBefore = late.Count(o => firstWarning.TryGetValue(o.OrderId, out var at) && at < o.PromisedBy);
        var toldAfter = late.Count(o => firstWarning.TryGetValue(o.OrderId, out var at) && at >= o.PromisedBy);
        var leads = LeadHours(records);

        var sentNews = records.Notices.Where(n => n.IsSent).DistinctBy(n => (n.EpisodeId, Sequence(n.NoticeId))).ToList();
        var newsPerOrder = sentNews.GroupBy(n => n.OrderId).ToDictionary(g => g.Key, g => g.Count());
        var byCount = records.Orders
            .GroupBy(o => newsPerOrder.GetValueOrDefault(o.OrderId))
            .OrderBy(g => g.Key)
            .ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Count());
        var byReason = sentNews.GroupBy(n => n.Reason).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var byStatus = records.Notices.GroupBy(n => n.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var wrong = records.Orders.Count(o => o.DeliveredAt is { } d && d <= o.PromisedBy && firstWarning.ContainsKey(o.OrderId));

        return new ReplayReport(
            events,
            events - bad.Count,
            records.Orders.Count,
            records.OrdersWithoutTerms,
            records.Orders.Count(o => o.DeliveredAt is not null),
            records.Orders.Count(o => o.CancelledAt is not null),
            late.Count,
            toldBefore,
            late.Count == 0 ? null : Math.Round((double)toldBefore / late.Count, 4),
            toldAfter,
            late.Count - toldBefore - toldAfter,
            LeadTimes.Of(leads),
            byCount,
            byReason,
            byStatus,
            wrong,
            bad.Count,
            bad.Select(b => new BadLineEntry(b.Line, b.Summary)).ToList(),
            firstEventAt is { } first ? ReplayJson.Time(first) : null,
            ReplayJson.Time(clockEndedAt),
            sweep,
            LeadTimeBin.Of(leads));
    }

    /// <summary>Promise − first warning sent, in hours, of each late order told (negative: told after the promise), in order id order.</summary>
    public static List<double> LeadHours(ReplayRecords records)
    {
        var firstWarning = FirstWarnings(records);
        return [.. records.Orders.Where(o => o.IsLate && firstWarning.ContainsKey(o.OrderId)).Select(o => (o.PromisedBy - firstWarning[o.OrderId]).TotalHours)];
    }

    private static Dictionary<string, DateTimeOffset> FirstWarnings(ReplayRecords records) =>
        records.Notices.Where(n => n.IsSent && n.IsWarning).GroupBy(n => n.OrderId).ToDictionary(g => g.Key, g => g.Min(n => n.SentAt!.Value));

    /// <summary>The news a notice id belongs to: "{episodeId}/{sequence}/{channel}".</summary>
    private static string Sequence(string noticeId) => noticeId[..noticeId.LastIndexOf('/')];

    public string ToMarkdown()
    {
        static string Share(int part, int whole) => whole == 0 ? "–" : ((double)part / whole).ToString("P1", CultureInfo.InvariantCulture);
        static string Hours(double? h) => h is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";
        static string Ratio(double? r) => r is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";
        var md = new StringBuilder();
        md.AppendLine("# Replay report").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Events: {Events} read, {EventsAccepted} accepted, {BadLines} refused. Virtual time {FirstEventAt ?? "–"} to {ClockEndedAt}.").AppendLine();
        md.AppendLine("| orders | delivered | cancelled | late | late told before the promise | told after it | never told |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {Orders} | {Delivered} | {Cancelled} | {Late} | {LateToldBeforePromise} ({Share(LateToldBeforePromise, Late)}) | {LateToldAfterPromise} | {LateNeverTold} |").AppendLine();
        if (OrdersWithoutTerms > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"{OrdersWithoutTerms} order ids had shipment events but no order.placed/updated; they are not counted as orders.").AppendLine();
        }

        md.AppendLine("Late: delivered after the promise, or never delivered and not cancelled. Told: a warning (any notice but back-on-track) sent on some channel.").AppendLine();
        md.AppendLine("## Lead time (promise − first warning sent, late orders told)").AppendLine();
        md.AppendLine("| count | p10 h | p50 h | p90 h |").AppendLine("|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {LeadTimeHours.Count} | {Hours(LeadTimeHours.P10)} | {Hours(LeadTimeHours.P50)} | {Hours(LeadTimeHours.P90)} |").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"![Lead time]({ReplayPlots.LeadTimeFile})").AppendLine();
        md.AppendLine("## Threshold sweep of the prediction").AppendLine();
        if (ThresholdSweep.Assessments == 0)
        {
            md.AppendLine("The delivery-time model made no assessment in this replay (prediction off, or never ready): every threshold warns nobody.").AppendLine();
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"What the prediction would have warned at each threshold ({ThresholdSweep.Assessments} assessments seen; configured threshold {ThresholdSweep.ConfiguredThreshold.ToString("0.00", CultureInfo.InvariantCulture)}). Warned: the order's probability of being late reached the threshold. Precision: warned orders that turned out late / warned. Recall: late orders warned before their promise / late orders. Lead: promise − first warning, median over the late orders warned before their promise.").AppendLine();
        md.AppendLine("| threshold | warned orders | precision | recall | median lead h |").AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var row in ThresholdSweep.Rows)
        {
            var mark = row.Threshold == ThresholdSweep.ConfiguredThreshold ? " (configured)" : "";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Threshold:0.00}{mark} | {row.WarnedOrders} | {Ratio(row.Precision)} | {Ratio(row.Recall)} | {Hours(row.MedianLeadHours)} |");
        }

        md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![Threshold sweep]({ReplayPlots.SweepFile})").AppendLine();
        md.AppendLine("## Notices").AppendLine();
        md.AppendLine("Orders by notices sent (a notice is one piece of news, on however many channels):").AppendLine();
        md.AppendLine("| notices | orders |").AppendLine("|---:|---:|");
        foreach (var (count, orders) in OrdersByNoticesSent)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {count} | {orders} |");
        }

        md.AppendLine().AppendLine("| reason | notices sent |").AppendLine("|---|---:|");
        foreach (var (reason, count) in NoticesSentByReason)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {reason} | {count} |");
        }

        md.AppendLine().AppendLine("| status (lines of notices.jsonl) | lines |").AppendLine("|---|---:|");
        foreach (var (status, count) in NoticeLinesByStatus)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {status} | {count} |");
        }

        md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Warnings that proved wrong (delivered on time after a warning was sent): {WarningsProvedWrong}.").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Bad lines ({BadLines})").AppendLine();
        foreach (var bad in BadLineDetails.Take(100))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- line {bad.Line}: {bad.Errors}");
        }

        if (BadLineDetails.Count > 100)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- … {BadLineDetails.Count - 100} more in report.json");
        }

        return md.ToString();
    }
}
