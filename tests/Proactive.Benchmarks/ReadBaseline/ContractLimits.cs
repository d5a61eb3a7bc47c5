// Frozen copy of services/Proactive.Tracker/Events as of 83d96a8 (before issue 14's reader work): the
// "before" of the `read` benchmark (ReadBenchmark.cs), so both are timed side by side in one run.
using System.Text.RegularExpressions;

namespace Proactive.Benchmarks.ReadBaseline;

/// <summary>
/// The bounds of every value the contract accepts (documented in events.proto and the README).
/// Ids are kept to a set that can be put in a URL path and read back (<c>GET /v1/orders/{id}</c>),
/// texts to lengths a message, a log line and both stores handle, and no text carries a control
/// character (PostgreSQL cannot store U+0000) or a lone surrogate.
/// </summary>
public static partial class ContractLimits
{
    /// <summary>orderId, shipmentId, customer.customerId.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The envelope's id and source, and any other attribute but tracestate.</summary>
    public const int MaxAttributeLength = 256;

    /// <summary>W3C trace context's own bound for tracestate.</summary>
    public const int MaxTraceStateLength = 512;

    public const int MaxUrlLength = 2048;

    /// <summary>At most this many entries in customer.channels.</summary>
    public const int MaxChannels = 4;

    /// <summary>The most characters of each string field of the data, by its JSON name; any other string field gets <see cref="MaxOtherText"/>.</summary>
    public static readonly IReadOnlyDictionary<string, int> MaxLength = new Dictionary<string, int>
    {
        ["orderId"] = MaxIdLength,
        ["shipmentId"] = MaxIdLength,
        ["customerId"] = MaxIdLength,
        ["name"] = 256,
        ["phone"] = 16,
        ["email"] = 254,
        ["locale"] = 35,
        ["timeZone"] = 64,
        ["trackingUrl"] = MaxUrlLength,
        ["reason"] = 1024,
        ["carrier"] = 128,
        ["trackingNumber"] = 128,
        ["location"] = 256,
        ["description"] = 1024,
        ["fulfilledBy"] = MaxIdLength,
        ["country"] = 2,
        ["region"] = MaxCodeLength,
        ["postalCode"] = 32,
        ["serviceLevel"] = MaxCodeLength,
    };

    /// <summary>Address.region and serviceLevel: short codes of <see cref="IsSafeCode"/> characters.</summary>
    public const int MaxCodeLength = 64;

    public const int MaxOtherText = 1024;

    /// <summary>Letters, digits, '.', '_', '-', ':'; not starting with '.', no "..".</summary>
    public static bool IsSafeId(string id) =>
        id.Length <= MaxIdLength && SafeId().IsMatch(id) && !id.Contains("..", StringComparison.Ordinal);

    /// <summary>Why <paramref name="text"/> cannot be stored or shown as it is, or null when it can.</summary>
    public static string? TextFault(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' || c == '\u007f')
            {
                return "must not contain control characters (U+0000–U+001F, U+007F)";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "must not contain a lone surrogate (not valid Unicode)";
            }
        }

        return null;
    }

    /// <summary>1..<see cref="MaxCodeLength"/> letters, digits, '-', '_', '.' (e.g. "KR-11", "BR-SP", "express").</summary>
    public static bool IsSafeCode(string code) => code.Length <= MaxCodeLength && SafeCode().IsMatch(code);

    /// <summary>ISO 3166-1 alpha-2 in its written form: two uppercase ASCII letters.</summary>
    public static bool IsCountryCode(string code) => code.Length == 2 && code.All(char.IsAsciiLetterUpper);

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeCode();

    [GeneratedRegex(@"^[A-Za-z0-9_:-][A-Za-z0-9._:-]*$")]
    private static partial Regex SafeId();
}
