// Frozen copy of services/Proactive.Tracker/Events as of 83d96a8 (before issue 14's reader work): the
// "before" of the `read` benchmark (ReadBenchmark.cs), so both are timed side by side in one run.
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Proactive.Benchmarks.ReadBaseline;

/// <summary>
/// Checks a JSON value against a message descriptor before the protobuf parser sees it, so that a
/// wrong type, an unknown enum value or a timestamp that does not parse is reported with the path
/// of the field ("data.customer.channels[1]") rather than as an anonymous parse failure.
/// Unknown fields are allowed: upstream may add fields before we do.
/// </summary>
internal static class ProtoJsonShape
{
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
}
