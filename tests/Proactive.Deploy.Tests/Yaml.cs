using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Proactive.Deploy.Tests;

/// <summary>YAML documents as JSON, typed the way Kubernetes reads them (plain true/false, numbers and null; quoted text stays text).</summary>
public static partial class Yaml
{
    public static IReadOnlyList<JsonObject> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
    }

    public static JsonObject File(string path) => Documents(System.IO.File.ReadAllText(path)).Single();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

    private static JsonNode? Plain(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when Integer().IsMatch(text) => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
        _ when Float().IsMatch(text) => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(text),
    };
}

/// <summary>The documents `helm template` printed.</summary>
public sealed class Rendered(IReadOnlyList<JsonObject> documents)
{
    public IReadOnlyList<JsonObject> Documents { get; } = documents;

    public IEnumerable<JsonObject> OfKind(string kind) =>
        Documents.Where(d => (string?)d["kind"] == kind);

    public JsonObject Single(string kind, string name) =>
        OfKind(kind).Single(d => (string?)d["metadata"]!["name"] == name);

    public JsonObject Deployment(string component) => Single("Deployment", $"proactive-{component}");

    public static JsonObject PodTemplate(JsonObject deployment) => deployment["spec"]!["template"]!.AsObject();

    public static JsonObject Container(JsonObject deployment) =>
        PodTemplate(deployment)["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    public static string? Env(JsonObject deployment, string name) =>
        (string?)Container(deployment)["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name)?["value"];

    public static string? Annotation(JsonObject deployment, string key) =>
        (string?)PodTemplate(deployment)["metadata"]!["annotations"]![key];

    /// <summary>A Component's metadata item by name (null when absent).</summary>
    public static JsonObject? Metadata(JsonObject component, string name) =>
        component["spec"]!["metadata"]!.AsArray().SingleOrDefault(m => (string?)m!["name"] == name)?.AsObject();

    /// <summary>"app=a,b;app2=c" as app -> topics.</summary>
    public static Dictionary<string, string[]> Scopes(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split('='))
            .ToDictionary(p => p[0], p => p[1].Split(',', StringSplitOptions.RemoveEmptyEntries));
}
