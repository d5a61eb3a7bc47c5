using System.Runtime.InteropServices;
using System.Text.Json;
using Proactive.ServiceDefaults.CloudEvents;

namespace Proactive.Tracker.Events;

/// <summary>
/// Walks a JSON value before anything reads it and names each place that no reader should see: a
/// key given twice in one object, a string (or key) with a lone surrogate escape such as
/// <c>"\ud800"</c> (System.Text.Json would throw on reading it), or with a control character.
/// Every string is checked, known fields or not.
/// </summary>
internal static class JsonText
{
    // Keys are compared pairwise; an object with more goes the slow way.
    private const int MaxPlainKeys = 32;

    public static void Check(JsonElement value, string path, IDictionary<string, string[]> errors)
    {
        if (!IsPlain(value))
        {
            Report(value, path, errors);
        }
    }

    /// <summary>
    /// True when nothing can be wrong, decided without building a string: no key has an escape, a
    /// DEL or invalid UTF-8 (raw, valid JSON text holds no other control character and no lone
    /// surrogate), no object repeats a key, and no string holds any of these (one with an escape,
    /// e.g. "\u002B", is decoded and checked). Any doubt goes to <see cref="Report"/>.
    /// </summary>
    private static bool IsPlain(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in value.EnumerateObject())
                {
                    var name = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (++count > MaxPlainKeys || !IsPlainText(name) || !IsPlain(property.Value) || RepeatsEarlierKey(value, name, count))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (!IsPlain(item))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(value);
                return IsPlainText(raw) || (raw.IndexOf((byte)'\\') >= 0 && TryRead(value.GetString, out var text) && ContractLimits.TextFault(text) is null);
            default:
                return true;
        }
    }

    private static bool IsPlainText(ReadOnlySpan<byte> raw) =>
        raw.IndexOfAny((byte)'\\', (byte)0x7f) < 0 && System.Text.Unicode.Utf8.IsValid(raw);

    private static bool RepeatsEarlierKey(JsonElement value, ReadOnlySpan<byte> name, int position)
    {
        var index = 0;
        foreach (var earlier in value.EnumerateObject())
        {
            if (++index == position)
            {
                return false;
            }

            if (JsonMarshal.GetRawUtf8PropertyName(earlier).SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The full walk: every fault with its path (<see cref="Check"/> comes here only when there may be one).</summary>
    internal static void Report(JsonElement value, string path, IDictionary<string, string[]> errors)
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
                        Report(property.Value, child, errors);
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Report(item, $"{path}[{index++}]", errors);
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
