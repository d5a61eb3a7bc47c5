using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Proactive.Tracker.Events;

/// <summary>
/// Checks a JSON value against a message descriptor before the protobuf parser sees it, so that a
/// wrong type, an unknown enum value or a timestamp that does not parse is reported with the path
/// of the field ("data.customer.channels[1]") rather than as an anonymous parse failure.
/// Unknown fields are allowed: upstream may add fields before we do.
/// </summary>
internal static class ProtoJsonShape
{
    // What protobuf accepts after applying an offset: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    private static readonly ConcurrentDictionary<MessageDescriptor, FrozenDictionary<string, FieldDescriptor>> FieldsByName = new();

    public static void Check(JsonElement value, MessageDescriptor descriptor, string path, IDictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors[path] = ["must be a JSON object"];
            return;
        }

        foreach (var property in value.EnumerateObject())
        {
            var field = descriptor.FindFieldByName(property.Name)
                ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == property.Name);
            if (field is null || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var fieldPath = $"{path}.{field.JsonName}";
            if (field.IsRepeated)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    errors[fieldPath] = ["must be a JSON array"];
                    continue;
                }

                var index = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    CheckSingle(item, field, $"{fieldPath}[{index++}]", errors);
                }
            }
            else
            {
                CheckSingle(property.Value, field, fieldPath, errors);
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="value"/> into a message of <paramref name="descriptor"/> in the same walk
    /// that checks its shape, as the protobuf JSON parser would read it (last of a field given twice
    /// wins, null clears, unknown fields skipped). False, with nothing reported, as soon as anything is
    /// not plainly well-formed: the caller then takes the slow path (<see cref="Check"/>, then the
    /// parser), which names every fault.
    /// </summary>
    /// <remarks>
    /// <paramref name="exact"/> tells whether the JSON holds exactly the message: every key, at every
    /// depth, names a field, and no field is given twice (under either of its names), so no value in
    /// the text is one the message dropped.
    /// </remarks>
    public static bool TryRead(JsonElement value, MessageDescriptor descriptor, [NotNullWhen(true)] out IMessage? message, out bool exact)
    {
        var dropped = false;
        var read = TryReadMessage(value, descriptor, out message, ref dropped);
        exact = read && !dropped;
        return read;
    }

    private static bool TryReadMessage(JsonElement value, MessageDescriptor descriptor, [NotNullWhen(true)] out IMessage? message, ref bool dropped)
    {
        message = null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var read = descriptor.Parser.ParseFrom(ReadOnlySpan<byte>.Empty);
        var fields = FieldsByName.GetOrAdd(descriptor, NamesOf);
        var seen = 0UL; // the fields given so far, by declaration index (the contract's messages have fewer than 64)
        foreach (var property in value.EnumerateObject())
        {
            if (!fields.TryGetValue(property.Name, out var field))
            {
                dropped = true;
                continue;
            }

            var bit = field.Index < 64 ? 1UL << field.Index : 0;
            dropped |= bit == 0 || (seen & bit) != 0;
            seen |= bit;

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                field.Accessor.Clear(read);
            }
            else if (field.IsRepeated)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    return false;
                }

                var list = (System.Collections.IList)field.Accessor.GetValue(read);
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (!TryReadSingle(item, field, out var single, ref dropped))
                    {
                        return false;
                    }

                    list.Add(single);
                }
            }
            else if (TryReadSingle(property.Value, field, out var single, ref dropped))
            {
                field.Accessor.SetValue(read, single);
            }
            else
            {
                return false;
            }
        }

        message = read;
        return true;
    }

    /// <summary>The fields by JSON name and by proto name, as the parser looks them up.</summary>
    private static FrozenDictionary<string, FieldDescriptor> NamesOf(MessageDescriptor descriptor) =>
        descriptor.Fields.InDeclarationOrder()
            .SelectMany(f => new[] { (f.Name, Field: f), (Name: f.JsonName, Field: f) })
            .DistinctBy(f => f.Name)
            .ToFrozenDictionary(f => f.Name, f => f.Field, StringComparer.Ordinal);

    private static bool TryReadSingle(JsonElement value, FieldDescriptor field, [NotNullWhen(true)] out object? single, ref bool dropped)
    {
        single = null;
        switch (field.FieldType)
        {
            case FieldType.String when value.ValueKind == JsonValueKind.String:
                single = value.GetString();
                break;
            case FieldType.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                single = value.ValueKind == JsonValueKind.True;
                break;
            case FieldType.Enum:
                var known = value.ValueKind switch
                {
                    JsonValueKind.String => field.EnumType.FindValueByName(value.GetString()),
                    JsonValueKind.Number when value.TryGetInt32(out var number) => field.EnumType.FindValueByNumber(number),
                    _ => null,
                };
                single = known is { Number: not 0 } ? known.Number : null;
                break;
            case FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName:
                single = value.ValueKind == JsonValueKind.String && TryParseTimestamp(value.GetString()!, out var timestamp) ? timestamp : null;
                break;
            case FieldType.Message when field.MessageType.File.Package != Timestamp.Descriptor.File.Package:
                single = TryReadMessage(value, field.MessageType, out var nested, ref dropped) ? nested : null;
                break;
        }

        // Anything else (numbers, bytes, well-known types) the contract does not use: the parser reads it.
        return single is not null;
    }

    private static void CheckSingle(JsonElement value, FieldDescriptor field, string path, IDictionary<string, string[]> errors)
    {
        switch (field.FieldType)
        {
            case FieldType.String:
                if (value.ValueKind != JsonValueKind.String)
                {
                    errors[path] = ["must be a string"];
                }

                break;
            case FieldType.Bool:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors[path] = ["must be true or false"];
                }

                break;
            case FieldType.Enum:
                CheckEnum(value, field.EnumType, path, errors);
                break;
            case FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName:
                CheckTimestamp(value, path, errors);
                break;
            case FieldType.Message:
                Check(value, field.MessageType, path, errors);
                break;
            default:
                if (value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
                {
                    errors[path] = ["must be a number"];
                }

                break;
        }
    }

    private static void CheckEnum(JsonElement value, EnumDescriptor type, string path, IDictionary<string, string[]> errors)
    {
        var allowed = type.Values.Where(v => v.Number != 0).Select(v => v.Name).ToArray();
        var known = value.ValueKind switch
        {
            JsonValueKind.String => allowed.Contains(value.GetString(), StringComparer.Ordinal),
            JsonValueKind.Number => value.TryGetInt32(out var number) && number != 0 && type.FindValueByNumber(number) is not null,
            _ => false,
        };
        if (!known)
        {
            errors[path] = [$"must be one of {string.Join(", ", allowed)}"];
        }
    }

    private static void CheckTimestamp(JsonElement value, string path, IDictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.String || !TryParseTimestamp(value.GetString()!, out _))
        {
            errors[path] = ["must be an RFC 3339 timestamp with an offset, e.g. 2026-11-26T21:00:00+09:00"];
        }
    }

    /// <summary>The JSON of <paramref name="data"/> without the fields at the given paths ("data.customer.phone").</summary>
    public static string Without(JsonElement data, IEnumerable<string> paths)
    {
        var root = JsonNode.Parse(data.GetRawText())!.AsObject();
        foreach (var path in paths)
        {
            var names = path.Split('.').Skip(1).Select(n => n.Split('[')[0]).ToArray();
            var parent = root;
            foreach (var name in names[..^1])
            {
                parent = parent[name] as JsonObject ?? new JsonObject();
            }

            parent.Remove(names[^1]);
        }

        return root.ToJsonString();
    }

    public static bool TryParseTimestamp(string text, out Timestamp timestamp)
    {
        if (TryParsePlainTimestamp(text) is { } plain)
        {
            timestamp = plain;
            return true;
        }

        try
        {
            timestamp = JsonParser.Default.Parse<Timestamp>(JsonSerializer.Serialize(text));
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            timestamp = new Timestamp();
            return false;
        }
        catch (InvalidJsonException)
        {
            timestamp = new Timestamp();
            return false;
        }
    }

    /// <summary>
    /// The common, valid RFC 3339 form ("2026-11-26T21:00:00.123+09:00", 0–9 fraction digits, Z or an
    /// offset up to 18:00) read as protobuf's JSON parser reads it, without its regex and string
    /// round trip; null for anything else, which then goes to the parser itself.
    /// </summary>
    private static Timestamp? TryParsePlainTimestamp(string text)
    {
        var span = text.AsSpan();
        if (span.Length < 20)
        {
            return null;
        }

        var fraction = 0;
        if (span[19] == '.')
        {
            fraction = span[20..].IndexOfAnyExceptInRange('0', '9');
            if (fraction is < 1 or > 9)
            {
                return null;
            }
        }

        var zone = span[(fraction > 0 ? 20 + fraction : 19)..];
        if (span[4] != '-' || span[7] != '-' || span[10] != 'T' || span[13] != ':' || span[16] != ':'
            || !(zone is "Z" || (zone.Length == 6 && zone[0] is '+' or '-' && zone[3] == ':'))
            || !Digits(span[..4], out var year) || !Digits(span.Slice(5, 2), out var month) || !Digits(span.Slice(8, 2), out var day)
            || !Digits(span.Slice(11, 2), out var hour) || !Digits(span.Slice(14, 2), out var minute) || !Digits(span.Slice(17, 2), out var second)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return null;
        }

        var offsetMinutes = 0;
        if (zone is not "Z")
        {
            if (!Digits(zone.Slice(1, 2), out var offsetHours) || !Digits(zone.Slice(4, 2), out var offsetMinute) || offsetMinute > 59)
            {
                return null;
            }

            offsetMinutes = (offsetHours * 60) + offsetMinute;
            if (offsetMinutes > 18 * 60 || (offsetMinutes == 0 && zone[0] == '-'))
            {
                return null;
            }
        }

        var seconds = (new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        var nanos = 0;
        if (fraction > 0)
        {
            Digits(span.Slice(20, fraction), out nanos);
            for (var i = fraction; i < 9; i++)
            {
                nanos *= 10;
            }
        }

        // Local time minus its offset is UTC; nanos stay in [0, 1e9).
        seconds -= (zone[0] == '+' ? 60L : zone[0] == '-' ? -60L : 0L) * offsetMinutes;
        return seconds is < MinTimestampSeconds or > MaxTimestampSeconds ? null : new Timestamp { Seconds = seconds, Nanos = nanos };
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
