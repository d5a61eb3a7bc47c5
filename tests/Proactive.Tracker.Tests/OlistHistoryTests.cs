using System.IO.Compression;
using System.Text.Json;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Tests;

/// <summary>
/// The real marketplace history in ../shared/data (not in the repository) reads under the contract:
/// every line accepted, each judged at its own occurredAt. Skipped where the file is absent.
/// </summary>
public class OlistHistoryTests
{
    private const string RelativePath = "../shared/data/olist-history/events.jsonl.gz";

    [Fact]
    public void EveryEventOfTheRealHistoryIsAccepted()
    {
        var file = Find();
        Assert.SkipWhen(file is null, $"{RelativePath} is not beside the repository");

        var read = 0;
        var refused = new List<string>();
        using var lines = new StreamReader(new GZipStream(File.OpenRead(file!), CompressionMode.Decompress));
        while (lines.ReadLine() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            var envelope = document.RootElement;
            var data = envelope.GetProperty("data");
            var now = DateTimeOffset.Parse(data.GetProperty("occurredAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var result = CloudEventReader.Read(envelope, envelope.GetProperty("topic").GetString()!, EventTimeWindow.Around(now));
            if (result.Rejection is { } rejection && refused.Count < 10)
            {
                refused.Add($"line {read + 1}: {rejection.Summary}");
            }

            read++;
        }

        refused.ShouldBeEmpty();
        read.ShouldBe(30_744);
    }

    /// <summary>The file relative to the repository root: the first folder upwards from the test's own that holds it.</summary>
    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.GetFullPath(Path.Combine(dir.FullName, RelativePath));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
