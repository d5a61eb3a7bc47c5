using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace Proactive.ServiceDefaults.CloudEvents;

/// <summary>
/// CloudEvents as the CNCF reference SDK reads them, for every service and both hostings: the JSON
/// event format (structured and batch mode), the W3C trace-context extension attributes, and which
/// attribute an SDK error is about, so that a refusal names the field.
/// </summary>
public static partial class CloudEventFormat
{
    public static readonly CloudEventAttribute TraceParent = CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);

    public static readonly CloudEventAttribute TraceState = CloudEventAttribute.CreateExtension("tracestate", CloudEventAttributeType.String);

    /// <summary>The extension attributes whose types we know; any other extension is a string.</summary>
    public static readonly IReadOnlyList<CloudEventAttribute> Extensions = [TraceParent, TraceState];

    /// <summary>The JSON event format; a duplicate key is an error rather than silently the last one.</summary>
    public static readonly JsonEventFormatter Json = new(null, new JsonDocumentOptions { AllowDuplicateProperties = false });

    /// <summary>
    /// The attributes an exception of the SDK is about ("id", "time", "specversion", "data"...),
    /// read from its message; empty when it names none.
    /// </summary>
    public static IReadOnlyList<string> AttributesOf(Exception exception)
    {
        var message = exception.Message;
        if (message.Contains("spec version", StringComparison.OrdinalIgnoreCase)
            || message.Contains("does not represent a CloudEvent", StringComparison.Ordinal))
        {
            return ["specversion"];
        }

        if (MissingAttributes().Match(message) is { Success: true } missing)
        {
            return missing.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }

        if (NamedAttribute().Match(message) is { Success: true } named)
        {
            return [Printable(named.Groups[1].Value)];
        }

        if (message.Contains("non-JSON datacontenttype", StringComparison.Ordinal))
        {
            return ["datacontenttype"];
        }

        if (message.Contains("'data_base64' must", StringComparison.Ordinal))
        {
            return ["data_base64"];
        }

        return message.Contains("'data'", StringComparison.Ordinal) ? ["data"] : [];
    }

    /// <summary>A name from the input made safe to echo: printable ASCII, at most 64 characters.</summary>
    public static string Printable(string name)
    {
        if (name.Length <= 64 && !name.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return name;
        }

        var chars = name.Take(64).Select(c => c is >= ' ' and < '\u007f' ? c : '?').ToArray();
        return new string(chars) + (name.Length > 64 ? "…" : "");
    }

    [GeneratedRegex(@"missing required attributes: ([a-z0-9, ]+)", RegexOptions.IgnoreCase)]
    private static partial Regex MissingAttributes();

    [GeneratedRegex(@"attribute(?: name)? '([^']*)'")]
    private static partial Regex NamedAttribute();
}
