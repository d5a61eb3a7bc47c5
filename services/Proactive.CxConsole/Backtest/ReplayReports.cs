using System.Text.Json;

namespace Proactive.CxConsole.Backtest;

/// <summary>A replay report found in the reports folder: its name (the folder it sits in, relative) and when it was written.</summary>
public sealed record ReplayReportEntry(string Name, DateTimeOffset WrittenAt);

/// <summary>A report read, or why it could not be.</summary>
public sealed record ReplayReportRead(ReplayReport? Report, string? Error);

/// <summary>
/// The replay reports the Backtest page shows: every report.json the replay command wrote in the
/// folder <c>Proactive:Console:ReplayReports</c> (default <c>replay-out</c> under the content root) or
/// one level below it. A report is only read (JSON into <see cref="ReplayReport"/>), never run; a
/// report is picked by a name from the listing, never by a path. Both hosts serve it: the standalone
/// host's replay command writes the reports; Notifier shows reports copied or uploaded to it.
/// </summary>
public sealed class ReplayReports(IConfiguration configuration, IHostEnvironment environment)
{
    public const string FileName = "report.json";

    /// <summary>The largest report read, listed or uploaded: 1 MiB (a replay of 10⁵ orders writes a few KiB, bad lines aside).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>report.json as the replay writes it (camelCase, JsonSerializerDefaults.Web), read strictly.</summary>
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public string Folder => Path.GetFullPath(configuration["Proactive:Console:ReplayReports"] is { Length: > 0 } configured
        ? Path.Combine(environment.ContentRootPath, configured)
        : Path.Combine(environment.ContentRootPath, "replay-out"));

    /// <summary>The reports in the folder, newest first; none when the folder does not exist.</summary>
    public IReadOnlyList<ReplayReportEntry> List()
    {
        var folder = new DirectoryInfo(Folder);
        if (!folder.Exists)
        {
            return [];
        }

        var files = folder.EnumerateFiles(FileName).Concat(folder.EnumerateDirectories().SelectMany(d => d.EnumerateFiles(FileName)));
        return [.. files
            .Select(f => new ReplayReportEntry(NameOf(folder, f), new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderByDescending(e => e.WrittenAt).ThenBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>The report listed under <paramref name="name"/>, or why not.</summary>
    public async Task<ReplayReportRead> ReadAsync(string name, CancellationToken ct)
    {
        var folder = new DirectoryInfo(Folder);
        var file = folder.Exists
            ? folder.EnumerateFiles(FileName).Concat(folder.EnumerateDirectories().SelectMany(d => d.EnumerateFiles(FileName))).FirstOrDefault(f => NameOf(folder, f) == name)
            : null;
        if (file is null)
        {
            return new(null, $"report: no report named \"{name}\" in the reports folder.");
        }

        if (file.Length > MaxBytes)
        {
            return new(null, $"report: {file.Length} bytes, more than the {MaxBytes} allowed.");
        }

        await using var stream = file.OpenRead();
        return await ParseAsync(stream, ct);
    }

    /// <summary>A report.json's figures, or the first thing wrong with it, naming the field (JSON path) or the line.</summary>
    public static async Task<ReplayReportRead> ParseAsync(Stream json, CancellationToken ct)
    {
        ReplayReport? report;
        try
        {
            report = await JsonSerializer.DeserializeAsync<ReplayReport>(json, Strict, ct);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } path ? $" at {path}" : "";
            var line = e.LineNumber is { } l ? $" (line {l + 1})" : "";
            return new(null, $"report.json{where}{line}: {FirstSentence(e.Message)}");
        }

        if (report is null)
        {
            return new(null, "report.json: null, not a replay report.");
        }

        return Check(report) is { } error ? new(null, error) : new(report, null);
    }

    /// <summary>What the JSON shape cannot say: counts are not negative, shares lie in 0–1.</summary>
    public static string? Check(ReplayReport r)
    {
        (string Field, int Value)[] counts =
        [
            ("events", r.Events), ("eventsAccepted", r.EventsAccepted), ("orders", r.Orders), ("delivered", r.Delivered),
            ("cancelled", r.Cancelled), ("late", r.Late), ("lateToldBeforePromise", r.LateToldBeforePromise),
            ("lateToldAfterPromise", r.LateToldAfterPromise), ("lateNeverTold", r.LateNeverTold), ("badLines", r.BadLines),
            ("warningsProvedWrong", r.WarningsProvedWrong), ("leadTimeHours.count", r.LeadTimeHours.Count),
            ("thresholdSweep.assessments", r.ThresholdSweep.Assessments),
        ];
        if (counts.FirstOrDefault(c => c.Value < 0) is { Field: { } negative })
        {
            return $"report.json at $.{negative}: a count, must not be negative.";
        }

        if (r.ShareOfLateToldBeforePromise is < 0 or > 1)
        {
            return "report.json at $.shareOfLateToldBeforePromise: a share, must lie between 0 and 1.";
        }

        for (var i = 0; i < r.ThresholdSweep.Rows.Count; i++)
        {
            var row = r.ThresholdSweep.Rows[i];
            if (row.Threshold is < 0 or > 1 || row.Precision is < 0 or > 1 || row.Recall is < 0 or > 1)
            {
                return $"report.json at $.thresholdSweep.rows[{i}]: threshold, precision and recall must lie between 0 and 1.";
            }
        }

        return null;
    }

    private static string NameOf(DirectoryInfo folder, FileInfo file) =>
        file.Directory!.FullName == folder.FullName ? "." : file.Directory.Name;

    private static string FirstSentence(string message) =>
        message.IndexOf(". Path:", StringComparison.Ordinal) is var cut and > 0 ? message[..cut] + "." : message;
}
