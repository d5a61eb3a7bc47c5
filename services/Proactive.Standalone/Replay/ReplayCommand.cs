using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proactive.CxConsole.Backtest;
using Proactive.Notifier;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Store;

namespace Proactive.Standalone.Replay;

/// <summary>
/// <c>replay &lt;events.jsonl[.gz] | -&gt; [--out DIR] [--templates DIR] [--set Key=Value]...</c>: replays a shop's
/// history through the real code path on a virtual clock and writes what customers would have been
/// told (notices.jsonl, episodes.jsonl) and a report. The app is built as a live instance is
/// (appsettings, environment, then --set), with its store in a temporary SQLite file, its
/// background loops off (the replay drives them), providers replaced by recorders and no port opened.
/// </summary>
public static class ReplayCommand
{
    public const string Name = "replay";
    public const string DefaultOut = "replay-out";

    /// <summary>The configured threshold of the prediction, marked in the sweep.</summary>
    public const string ThresholdKey = "Proactive:Prediction:Threshold";

    public const string Usage = "usage: replay <events.jsonl[.gz] | -> [--out DIR] [--templates DIR] [--set Key=Value]...";

    /// <summary>Replay defaults a --set may change: a quiet console (the progress line says how it goes).</summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",

        // The replay's throwaway database gets a console key it never uses; Data Protection's warning
        // that the key is stored unencrypted says nothing about a replay.
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
    };

    public sealed record Options(string Input, string Out, IReadOnlyList<KeyValuePair<string, string?>> Settings);

    /// <summary>The command's arguments (after "replay"), or why they are wrong.</summary>
    public static (Options? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        string? input = null;
        var output = DefaultOut;
        var settings = new List<KeyValuePair<string, string?>>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Count:
                    output = args[++i];
                    break;
                case "--templates" when i + 1 < args.Count:
                    // A draft template folder (Proactive:Templates:Path): see what customers would have read.
                    settings.Add(new("Proactive:Templates:Path", args[++i]));
                    break;
                case "--set" when i + 1 < args.Count:
                    var setting = args[++i];
                    var eq = setting.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        return (null, $"--set takes Key=Value, not '{setting}'");
                    }

                    settings.Add(new(setting[..eq], setting[(eq + 1)..]));
                    break;
                case "--out" or "--set" or "--templates":
                    return (null, $"{args[i]} needs a value");
                case var a when a != ReplayInput.Stdin && a.StartsWith("--", StringComparison.Ordinal):
                    return (null, $"unknown option '{a}'");
                case var a when input is null:
                    input = a;
                    break;
                default:
                    return (null, $"one input only ('{input}' and '{args[i]}')");
            }
        }

        return input is null ? (null, "the input file is missing (a path, or - for stdin)") : (new Options(input, output, settings), null);
    }

    /// <summary>Exit code of a replay stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Stopped = 130;

    /// <summary>Cancelled on Ctrl-C or SIGTERM, so a replay stops between events and cleans up its store.</summary>
    public static SignalStop StopOnSignal() => new();

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter console, Stream stdin, CancellationToken cancellationToken = default)
    {
        try
        {
            return await RunUntilStoppedAsync(args, console, stdin, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.WriteLineAsync("\nReplay stopped; no output written.");
            return Stopped;
        }
    }

    private static async Task<int> RunUntilStoppedAsync(IReadOnlyList<string> args, TextWriter console, Stream stdin, CancellationToken cancellationToken)
    {
        var (options, error) = Parse(args);
        if (options is null)
        {
            await console.WriteLineAsync($"{error}\n{Usage}");
            return 2;
        }

        if (options.Input != ReplayInput.Stdin && !File.Exists(options.Input))
        {
            await console.WriteLineAsync($"The input file {options.Input} does not exist.");
            return 2;
        }

        var (lines, unreadable) = await ReplayInput.ReadAsync(options.Input, stdin, cancellationToken);
        var first = lines.Min(l => l.OccurredAt);
        var clock = new VirtualClock(first ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = StoreDirectory();
        try
        {
            await using var app = Build(options, clock, store.FullName, out var configured);
            var sweep = (ThresholdSweep)app.Services.GetRequiredService<IPredictionObserver>();
            await app.StartAsync(cancellationToken);
            var engine = ReplayEngine.Create(app.Services);
            var progress = new ReplayProgress(console, lines.Count);
            var run = await engine.RunAsync(lines, progress.Report, cancellationToken);
            progress.Finish();

            var records = await ReplayRecords.ReadAsync(
                app.Services.GetRequiredService<TrackerStore>(), app.Services.GetRequiredService<NoticeStore>(), run.OrderIds, cancellationToken);
            var bad = unreadable.Concat(run.Refused).OrderBy(b => b.Line).ToList();
            var report = ReplayReport.From(records, lines.Count + unreadable.Count, bad, first, run.EndedAt, SweepReport.From(sweep, configured, records.Orders));
            await WriteAsync(options.Out, records, report, cancellationToken);
            await app.StopAsync(cancellationToken);

            await console.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Replayed {report.Events} events ({report.BadLines} refused) in {progress.Elapsed.TotalSeconds:0.0} s: {report.Orders} orders, {report.Late} late, {report.LateToldBeforePromise} of them told before the promise; {records.Notices.Count(n => n.IsSent)} messages sent. Output in {options.Out}/"));
            if (run.StuckQueues > 0)
            {
                await console.WriteLineAsync($"Warning: {run.StuckQueues} times a queue said work was due that nothing took; the replay went on without it.");
            }

            return 0;
        }
        finally
        {
            try
            {
                store.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// A fresh directory for the throwaway store: in memory (/dev/shm) where there is one, since a
    /// commit there costs no disk flush (the replay is about 2× faster), else the temporary folder
    /// (TMPDIR).
    /// </summary>
    private static DirectoryInfo StoreDirectory()
    {
        const string shm = "/dev/shm";
        var root = Directory.Exists(shm) ? shm : Path.GetTempPath();
        try
        {
            return Directory.CreateDirectory(Path.Combine(root, $"proactive-replay-{Environment.ProcessId}-{Path.GetRandomFileName()}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Directory.CreateTempSubdirectory("proactive-replay-");
        }
    }

    private static WebApplication Build(Options options, VirtualClock clock, string directory, out double threshold)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(Defaults);
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Proactive:Store"] = "Sqlite",
            ["ConnectionStrings:Proactive"] = $"Data Source={Path.Combine(directory, "replay.db")}",
            ["Proactive:Dispatch:OutboxPath"] = Path.Combine(directory, "outbox.jsonl"),
            ["Proactive:Tracker:RunBackgroundWork"] = "false",
            ["Proactive:Dispatch:RunBackgroundWork"] = "false",
            ["Proactive:Queues:RunBackgroundWork"] = "false",

            // A replay measures the warnings; it asks no survey and raises no incident.
            ["Proactive:Survey:Enabled"] = "false",
            ["Proactive:Incidents:Enabled"] = "false",

            // The templates are read once, at start; a replay edits none.
            ["Proactive:Templates:RefreshEvery"] = "30.00:00:00",
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddServiceDefaults();
        builder.AddStandaloneServices();
        builder.Services.RemoveAll<INoticeSender>();
        builder.Services.AddSingleton<INoticeSender>(new ReplayRecorder(Channel.Sms));
        builder.Services.AddSingleton<INoticeSender>(new ReplayRecorder(Channel.Email));
        builder.Services.AddSingleton<IServer, NoServer>();

        // Every assessment of the model, for the threshold sweep.
        threshold = builder.Configuration.GetValue(ThresholdKey, PredictionOptions.Default.Threshold);
        builder.Services.RemoveAll<IPredictionObserver>();
        builder.Services.AddSingleton<IPredictionObserver>(new ThresholdSweep(ThresholdSweep.Grid(threshold)));
        return builder.Build();
    }

    private static async Task WriteAsync(string directory, ReplayRecords records, ReplayReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await ReplayJson.WriteLinesAsync(Path.Combine(directory, "notices.jsonl"), records.Notices, cancellationToken);
        await ReplayJson.WriteLinesAsync(Path.Combine(directory, "episodes.jsonl"), records.Episodes, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.json"), System.Text.Json.JsonSerializer.Serialize(report, ReplayJson.Indented) + "\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.md"), report.ToMarkdown(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, ReplayPlots.LeadTimeFile), ReplayPlots.Svg(ReplayPlots.LeadTime(ReplayReport.LeadHours(records))), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, ReplayPlots.SweepFile), ReplayPlots.Svg(ReplayPlots.Sweep(report.ThresholdSweep)), cancellationToken);
    }

    /// <summary>The host without Kestrel: the replay drives the app in-process and opens no port.</summary>
    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}

/// <summary>"events done, events/s, time left" on one line of stderr, rewritten (\r) at most four times a second.</summary>
internal sealed class ReplayProgress(TextWriter console, int total)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private TimeSpan last = TimeSpan.Zero;
    private bool written;

    public TimeSpan Elapsed => watch.Elapsed;

    public void Report(int done)
    {
        var now = watch.Elapsed;
        if (now - last < Every && done < total)
        {
            return;
        }

        last = now;
        var rate = done / Math.Max(now.TotalSeconds, 1e-3);
        var left = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        console.Write(string.Create(CultureInfo.InvariantCulture, $"\r{done}/{total} events, {rate:0} events/s, {left:hh\\:mm\\:ss} left   "));
        written = true;
    }

    public void Finish()
    {
        if (written)
        {
            console.WriteLine();
        }
    }
}
