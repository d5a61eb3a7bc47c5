// Frozen copy of services/Proactive.Tracker/Events as of 83d96a8 (before issue 14's reader work): the
// "before" of the `read` benchmark (ReadBenchmark.cs), so both are timed side by side in one run.
using System.Text.Json;
using Proactive.ServiceDefaults.CloudEvents;

namespace Proactive.Benchmarks.ReadBaseline;

/// <summary>
/// Walks a JSON value before anything reads it and names each place that no reader should see: a
/// key given twice in one object, a string (or key) with a lone surrogate escape such as
/// <c>"\ud800"</c> (System.Text.Json would throw on reading it), or with a control character.
/// Every string is checked, known fields or not.
/// </summary>
internal static class JsonText
{
    public static void Check(JsonElement value, string path, IDictionary<string, string[]> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    if (!TryRead(() => property.Name, out var name))
                    {
                        errors.TryAdd(Child(path, "?"), ["has a key that is not valid Unicode (a lone surrogate or invalid UTF-8)"]);
                        continue;
                    }

                    var child = Child(path, CloudEventFormat.Printable(name));
                    if (ContractLimits.TextFault(name) is { } fault)
                    {
                        errors.TryAdd(child, [$"key {fault}"]);
                    }
                    else if (!seen.Add(name))
                    {
                        errors.TryAdd(child, ["is given more than once"]);
                    }
                    else
                    {
                        Check(property.Value, child, errors);
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Check(item, $"{path}[{index++}]", errors);
                }

                break;
            case JsonValueKind.String:
                if (!TryRead(value.GetString, out var text))
                {
                    errors.TryAdd(path, ["is not valid Unicode (a lone surrogate or invalid UTF-8)"]);
                }
                else if (ContractLimits.TextFault(text) is { } textFault)
                {
                    errors.TryAdd(path, [textFault]);
                }

                break;
        }
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static bool TryRead(Func<string?> read, out string text)
    {
        try
        {
            text = read() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }
}
