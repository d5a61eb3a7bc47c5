using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Proactive.Standalone.Replay;
using Proactive.Tests.Shared;
using Proactive.Tracker.Events;

namespace Proactive.Benchmarks;

/// <summary>
/// <c>synth ORDERS OUT [SEED]</c>: writes a synthetic shop history (<see cref="SyntheticHistory"/>) as
/// contract CloudEvent JSON lines, time-ordered, gzip when OUT ends in .gz — the replay's benchmark input.
/// </summary>
internal static class SynthCommand
{
    public const int DefaultSeed = 10;

    public static async Task<int> RunAsync(string[] args, TextWriter console)
    {
        if (args.Length is < 2 or > 3
            || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var orders) || orders <= 0
            || (args.Length == 3 && !int.TryParse(args[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            await console.WriteLineAsync("usage: synth ORDERS OUT.jsonl[.gz] [SEED]");
            return 2;
        }

        var seed = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : DefaultSeed;
        var lines = await WriteAsync(args[1], orders, seed);
        await console.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{orders} orders, {lines} events (seed {seed}) written to {args[1]}"));
        return 0;
    }

    /// <summary>Writes the history of <paramref name="orders"/> orders to <paramref name="path"/>; returns the number of lines.</summary>
    public static async Task<int> WriteAsync(string path, int orders, int seed)
    {
        await using var file = File.Create(path);
        await using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file;
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
        var count = 0;
        foreach (var line in SyntheticHistory.ToJsonLines(SyntheticHistory.Generate(orders, seed)))
        {
            await writer.WriteLineAsync(line);
            count++;
        }

        return count;
    }
}

/// <summary>
/// <c>read-only INPUT</c>: the replay's reading work alone, as a floor to compare the replay with —
/// the input read as the replay reads it (<see cref="ReplayInput"/>), each line parsed and judged by
/// the ingest's reader at its own instant, in time order; nothing stored, no rule applied.
/// </summary>
internal static class ReadOnlyCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter console)
    {
        if (args.Length != 1 || (args[0] != ReplayInput.Stdin && !File.Exists(args[0])))
        {
            await console.WriteLineAsync("usage: read-only INPUT.jsonl[.gz]");
            return 2;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (lines, unreadable) = await ReplayInput.ReadAsync(args[0], Console.OpenStandardInput(), CancellationToken.None);
        var read = watch.Elapsed;
        var first = lines.Min(l => l.OccurredAt) ?? EventTimeWindow.Earliest;
        var refused = unreadable.Count;
        foreach (var line in ReplayEngine.InTimeOrder(lines))
        {
            using var document = JsonDocument.Parse(line.Json);
            if (CloudEventReader.Read(document.RootElement, line.Topic, EventTimeWindow.Around(line.OccurredAt ?? first)).Rejection is not null)
            {
                refused++;
            }
        }

        var total = lines.Count + unreadable.Count;
        await console.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"Read and validated {total} events ({refused} refused) in {watch.Elapsed.TotalSeconds:0.0} s ({read.TotalSeconds:0.0} s reading the file): {total / watch.Elapsed.TotalSeconds:0} events/s"));
        return 0;
    }
}
