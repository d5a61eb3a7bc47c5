using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Unicode;
using Proactive.ServiceDefaults.CloudEvents;
using Proactive.Tracker.Events;

namespace Proactive.Standalone.Replay;

/// <summary>One input line that is JSON: its number, the topic it is read for, and its occurredAt (for ordering only).</summary>
public sealed record ReplayLine(int Number, string Topic, DateTimeOffset? OccurredAt, byte[] Json);

/// <summary>A line refused, with the fields at fault as the ingest names them.</summary>
public sealed record BadLine(int Line, IReadOnlyDictionary<string, string[]> Errors)
{
    public string Summary => string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
}

/// <summary>
/// Reads a replay's input: JSON lines (plain or gzip, from a file or stdin), each one structured
/// CloudEvent. A line that is not even JSON is a bad line here; everything else is judged later by
/// the ingest's own reader, at its virtual instant. Blank lines are skipped.
/// </summary>
public static class ReplayInput
{
    public const string Stdin = "-";

    public static async Task<(List<ReplayLine> Lines, List<BadLine> Bad)> ReadAsync(string path, Stream stdin, CancellationToken cancellationToken)
    {
        await using var raw = path == Stdin ? stdin : File.OpenRead(path);
        await using var stream = await DecompressedAsync(raw, cancellationToken);
        var lines = new List<ReplayLine>();
        var bad = new List<BadLine>();
        var number = 0;
        await foreach (var bytes in SplitLinesAsync(stream, cancellationToken))
        {
            number++;
            if (bytes.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            var read = Scan(number, bytes);
            if (read.Line is { } line)
            {
                lines.Add(line);
            }
            else
            {
                bad.Add(read.Bad!);
            }
        }

        return (lines, bad);
    }

    /// <summary>The line's topic (its <c>topic</c> attribute if it has one, else its type's) and occurredAt, or why it is not JSON.</summary>
    public static (ReplayLine? Line, BadLine? Bad) Scan(int number, byte[] bytes)
    {
        if (!Utf8.IsValid(bytes))
        {
            return (null, Bad(number, "event", "is not valid UTF-8"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            return (null, Bad(number, "event", $"is not valid JSON (byte {e.BytePositionInLine + 1})"));
        }

        using (document)
        {
            var root = document.RootElement;
            var topic = Contracts.Topics.Orders;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("topic", out var named) && named.ValueKind == JsonValueKind.String)
                {
                    topic = named.GetString()!;
                    if (!EventTypes.Topics.Contains(topic))
                    {
                        return (null, Bad(number, "topic", $"'{CloudEventFormat.Printable(topic)}' is not a topic; expected {string.Join(" or ", EventTypes.Topics)}"));
                    }
                }
                else if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                    && EventTypes.TryGet(type.GetString()!, out var typeTopic, out _))
                {
                    topic = typeTopic;
                }
            }

            return (new ReplayLine(number, topic, OccurredAt(root), bytes), null);
        }
    }

    private static DateTimeOffset? OccurredAt(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("occurredAt", out var at) && at.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;

    private static BadLine Bad(int number, string field, string message) =>
        new(number, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The stream itself, or its gzip content when it starts with gzip's magic bytes.</summary>
    private static async Task<Stream> DecompressedAsync(Stream raw, CancellationToken cancellationToken)
    {
        var buffered = new BufferedStream(raw, 1 << 16);
        var head = new byte[2];
        var read = 0;
        while (read < 2 && await buffered.ReadAsync(head.AsMemory(read, 2 - read), cancellationToken) is var n and > 0)
        {
            read += n;
        }

        var rest = new PrefixedStream(head.AsMemory(0, read), buffered);
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(rest, CompressionMode.Decompress) : rest;
    }

    private static async IAsyncEnumerable<byte[]> SplitLinesAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        using var line = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    line.Write(buffer, start, i - start);
                    yield return TrimCarriageReturn(line.ToArray());
                    line.SetLength(0);
                    start = i + 1;
                }
            }

            line.Write(buffer, start, read - start);
        }

        if (line.Length > 0)
        {
            yield return TrimCarriageReturn(line.ToArray());
        }
    }

    private static byte[] TrimCarriageReturn(byte[] line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    /// <summary>A few bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }

            var n = Math.Min(buffer.Length, prefix.Length);
            prefix.Span[..n].CopyTo(buffer);
            prefix = prefix[n..];
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (prefix.IsEmpty)
            {
                return await rest.ReadAsync(buffer, cancellationToken);
            }

            return Read(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
