using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Proactive.CxConsole.Backtest;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>
/// Backtest (orders:read): the replay reports in the reports folder, and the figures of the one
/// picked or uploaded (a report.json, read into memory, validated, never stored).
/// </summary>
[RequestSizeLimit(ReplayReports.MaxBytes + (64 * 1024))]
[RequestFormLimits(MultipartBodyLengthLimit = ReplayReports.MaxBytes + (64 * 1024))]
public sealed class BacktestModel(ReplayReports reports) : ConsolePage
{
    public IReadOnlyList<ReplayReportEntry> Reports { get; private set; } = [];

    /// <summary>The report shown, and what it is called ("uploaded: name" for an upload).</summary>
    public ReplayReport? Report { get; private set; }

    public string? ShownName { get; private set; }

    public string? Error { get; private set; }

    public string Folder => reports.Folder;

    public async Task<IActionResult> OnGetAsync(string? report, CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        Reports = reports.List();
        var name = report is { Length: > 0 } ? report : Reports.FirstOrDefault()?.Name;
        if (name is not null)
        {
            Show(await reports.ReadAsync(name, ct), name);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? upload, CancellationToken ct)
    {
        if (Require(Scopes.OrdersRead) is { } forbidden)
        {
            return forbidden;
        }

        Reports = reports.List();
        if (upload is null || upload.Length == 0)
        {
            Error = "upload: no file chosen, or it is empty.";
        }
        else if (upload.Length > ReplayReports.MaxBytes)
        {
            Error = $"upload: {upload.Length} bytes, more than the {ReplayReports.MaxBytes} allowed.";
        }
        else
        {
            await using var stream = upload.OpenReadStream();
            Show(await ReplayReports.ParseAsync(stream, ct), Path.GetFileName(upload.FileName));
        }

        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }

    private void Show(ReplayReportRead read, string name)
    {
        Report = read.Report;
        Error = read.Error;
        ShownName = read.Report is null ? null : name;
    }

    public static string Ratio(double? r) => r is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    public static string Hours(double? h) => h is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private static double? Pct(double? r) => r is { } v ? Math.Round(v * 100, 1) : null;

    /// <summary>The replay's threshold-sweep plot: precision and recall (%, left axis), median lead (h, right axis).</summary>
    public string SweepJson(string precision, string recall, string medianLead) => JsonSerializer.Serialize(new
    {
        labels = Report!.ThresholdSweep.Rows.Select(r => r.Threshold.ToString("0.00", CultureInfo.InvariantCulture)),
        max = 100,
        right = medianLead,
        series = new[]
        {
            new { label = precision, data = Report.ThresholdSweep.Rows.Select(r => Pct(r.Precision)), axis = "y" },
            new { label = recall, data = Report.ThresholdSweep.Rows.Select(r => Pct(r.Recall)), axis = "y" },
            new { label = medianLead, data = Report.ThresholdSweep.Rows.Select(r => r.MedianLeadHours), axis = "right" },
        },
    });

    /// <summary>The replay's lead-time plot: late orders told per 12-hour bin of lead, labelled by the bin's start.</summary>
    public string HistogramJson(string lateOrders) => JsonSerializer.Serialize(new
    {
        labels = Report!.LeadTimeHistogram!.Select(b => Hours(b.FromHours)),
        series = new[] { new { label = lateOrders, data = Report.LeadTimeHistogram!.Select(b => b.Orders) } },
    });

    public string LateJson(string before, string after, string never) => JsonSerializer.Serialize(new
    {
        labels = new[] { before, after, never },
        series = new[] { new { label = "", data = new[] { Report!.LateToldBeforePromise, Report.LateToldAfterPromise, Report.LateNeverTold } } },
    });

    public string ReasonsJson() => JsonSerializer.Serialize(new
    {
        labels = Report!.NoticesSentByReason.Keys,
        series = new[] { new { label = "", data = Report.NoticesSentByReason.Values } },
    });
}
