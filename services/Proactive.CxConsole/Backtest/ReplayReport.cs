namespace Proactive.CxConsole.Backtest;

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
/// A replay's figures, as report.json holds them and the Backtest page reads them. The replay
/// command (the standalone host) computes them from the same records written to notices.jsonl, so
/// they agree with it. <see cref="LeadTimeHistogram"/> is null in reports written before it was added. "Told" means a warning (any kind but BACK_ON_TRACK and SURVEY) was sent on some channel; a notice is one
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
    IReadOnlyList<LeadTimeBin>? LeadTimeHistogram = null);

/// <summary>One threshold's outcome over the replayed orders.</summary>
/// <param name="Precision">Warned orders that turned out late / warned orders.</param>
/// <param name="Recall">Late orders warned before their promise / late orders.</param>
/// <param name="MedianLeadHours">Promise − first warning, over the late orders warned before their promise.</param>
public sealed record SweepRow(double Threshold, int WarnedOrders, int WarnedLate, double? Precision, int LateWarnedBeforePromise, double? Recall, double? MedianLeadHours);

/// <summary>What the prediction would have warned at each threshold, joined with how the orders ended (the replay's threshold sweep).</summary>
public sealed record SweepReport(double ConfiguredThreshold, int Assessments, IReadOnlyList<SweepRow> Rows);
