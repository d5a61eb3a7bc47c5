using System.Globalization;
using System.Text;
using Proactive.CxConsole.Backtest;

namespace Proactive.Standalone.Replay;

/// <summary>
/// How the replay command makes its report (report.json's <see cref="ReplayReport"/>, in the console
/// library) from the replay's records, and report.md from it: static and instance extensions, so
/// the report is still made with <c>ReplayReport.From(…)</c> and written with <c>report.ToMarkdown()</c>.
/// </summary>
public static class ReplayReportBuilder
{
    extension(ReplayReport)
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
    }

    extension(ReplayReport report)
    {
        public string ToMarkdown()
        {
            static string Share(int part, int whole) => whole == 0 ? "–" : ((double)part / whole).ToString("P1", CultureInfo.InvariantCulture);
            static string Hours(double? h) => h is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";
            static string Ratio(double? r) => r is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";
            var md = new StringBuilder();
            md.AppendLine("# Replay report").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Events: {report.Events} read, {report.EventsAccepted} accepted, {report.BadLines} refused. Virtual time {report.FirstEventAt ?? "–"} to {report.ClockEndedAt}.").AppendLine();
            md.AppendLine("| orders | delivered | cancelled | late | late told before the promise | told after it | never told |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {report.Orders} | {report.Delivered} | {report.Cancelled} | {report.Late} | {report.LateToldBeforePromise} ({Share(report.LateToldBeforePromise, report.Late)}) | {report.LateToldAfterPromise} | {report.LateNeverTold} |").AppendLine();
            if (report.OrdersWithoutTerms > 0)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"{report.OrdersWithoutTerms} order ids had shipment events but no order.placed/updated; they are not counted as orders.").AppendLine();
            }

            md.AppendLine("Late: delivered after the promise, or never delivered and not cancelled. Told: a warning (any notice but back-on-track) sent on some channel.").AppendLine();
            md.AppendLine("## Lead time (promise − first warning sent, late orders told)").AppendLine();
            md.AppendLine("| count | p10 h | p50 h | p90 h |").AppendLine("|---:|---:|---:|---:|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {report.LeadTimeHours.Count} | {Hours(report.LeadTimeHours.P10)} | {Hours(report.LeadTimeHours.P50)} | {Hours(report.LeadTimeHours.P90)} |").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"![Lead time]({ReplayPlots.LeadTimeFile})").AppendLine();
            md.AppendLine("## Threshold sweep of the prediction").AppendLine();
            if (report.ThresholdSweep.Assessments == 0)
            {
                md.AppendLine("The delivery-time model made no assessment in this replay (prediction off, or never ready): every threshold warns nobody.").AppendLine();
            }

            md.AppendLine(CultureInfo.InvariantCulture, $"What the prediction would have warned at each threshold ({report.ThresholdSweep.Assessments} assessments seen; configured threshold {report.ThresholdSweep.ConfiguredThreshold.ToString("0.00", CultureInfo.InvariantCulture)}). Warned: the order's probability of being late reached the threshold. Precision: warned orders that turned out late / warned. Recall: late orders warned before their promise / late orders. Lead: promise − first warning, median over the late orders warned before their promise.").AppendLine();
            md.AppendLine("| threshold | warned orders | precision | recall | median lead h |").AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var row in report.ThresholdSweep.Rows)
            {
                var mark = row.Threshold == report.ThresholdSweep.ConfiguredThreshold ? " (configured)" : "";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Threshold:0.00}{mark} | {row.WarnedOrders} | {Ratio(row.Precision)} | {Ratio(row.Recall)} | {Hours(row.MedianLeadHours)} |");
            }

            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![Threshold sweep]({ReplayPlots.SweepFile})").AppendLine();
            md.AppendLine("## Notices").AppendLine();
            md.AppendLine("Orders by notices sent (a notice is one piece of news, on however many channels):").AppendLine();
            md.AppendLine("| notices | orders |").AppendLine("|---:|---:|");
            foreach (var (count, orders) in report.OrdersByNoticesSent)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {count} | {orders} |");
            }

            md.AppendLine().AppendLine("| reason | notices sent |").AppendLine("|---|---:|");
            foreach (var (reason, count) in report.NoticesSentByReason)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {reason} | {count} |");
            }

            md.AppendLine().AppendLine("| status (lines of notices.jsonl) | lines |").AppendLine("|---|---:|");
            foreach (var (status, count) in report.NoticeLinesByStatus)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {status} | {count} |");
            }

            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Warnings that proved wrong (delivered on time after a warning was sent): {report.WarningsProvedWrong}.").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## Bad lines ({report.BadLines})").AppendLine();
            foreach (var bad in report.BadLineDetails.Take(100))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- line {bad.Line}: {bad.Errors}");
            }

            if (report.BadLineDetails.Count > 100)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- … {report.BadLineDetails.Count - 100} more in report.json");
            }

            return md.ToString();
        }
    }
}
