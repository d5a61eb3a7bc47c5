using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Proactive.Deploy.Tests;

/// <summary>
/// The Dapr resources the chart renders and those under deploy/dapr, against the schemas of Dapr's CRDs
/// (DaprSchemas/, see their $comment) and against what daprd does with them.
/// </summary>
public class DaprResourceTests(Helm helm)
{
    private static readonly string DaprDir = Path.Combine(Helm.Root, "deploy", "dapr");

    private static readonly Dictionary<string, JsonSchema> Schemas = new[] { "Component", "Resiliency", "Configuration" }
        .ToDictionary(kind => kind, kind => JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "DaprSchemas", $"{kind.ToLowerInvariant()}.schema.json")));

    /// <summary>The schema's complaints about a document, as "location: message" lines; none when it is valid.</summary>
    private static List<string> Problems(JsonObject document)
    {
        var kind = (string?)document["kind"] ?? "";
        Schemas.ShouldContainKey(kind, $"no schema for the Dapr kind {kind}");
        var results = Schemas[kind].Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList();
    }

    private static IEnumerable<JsonObject> DaprResources(Rendered rendered) =>
        rendered.Documents.Where(d => ((string?)d["apiVersion"])?.StartsWith("dapr.io/", StringComparison.Ordinal) == true);

    public static TheoryData<string[]> ValueSets() => new()
    {
        Array.Empty<string>(),
        new[] { "dapr.pubsub.caCertSecret.name=kafka-ca", "dapr.pubsub.brokers={a:9093,b:9093}", "dapr.appTokenSecret=dapr-app-token" },
    };

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task TheRenderedDaprResourcesMatchDaprsSchemas(string[] sets)
    {
        var resources = DaprResources(await helm.TemplateAsync(sets)).ToList();

        resources.Select(r => (string?)r["kind"]).ShouldBe(["Component", "Component", "Configuration", "Resiliency"], ignoreOrder: true);
        foreach (var resource in resources)
        {
            Problems(resource).ShouldBeEmpty($"{resource["kind"]} {resource["metadata"]!["name"]}");
        }
    }

    [Fact]
    public void TheFilesUnderDeployDaprMatchDaprsSchemas()
    {
        var files = Directory.EnumerateFiles(DaprDir, "*.yaml", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != "dapr.yaml").ToList();

        files.Count.ShouldBeGreaterThanOrEqualTo(5);
        foreach (var file in files)
        {
            Problems(Yaml.File(file)).ShouldBeEmpty(file);
        }
    }

    [Theory]
    [InlineData("spec.policies.retries.inboundDelivery.maxRetries", "\"ten\"")]
    [InlineData("spec.policies.retries.inboundDelivery.maxInterval", "\"a minute\"")]
    [InlineData("spec.policies.retries.inboundDelivery.maxRetry", "3")]
    [InlineData("spec.targets.components.pubsub.inbound.circuitbreaker", "\"deliveryBreaker\"")]
    [InlineData("spec.policies.timeouts.delivery", "30")]
    public void TheResiliencySchemaRefusesWhatDaprWouldDropOrMisread(string path, string json)
    {
        var resiliency = Yaml.File(Path.Combine(DaprDir, "common", "resiliency.yaml"));
        var keys = path.Split('.');
        var parent = keys[..^1].Aggregate((JsonNode)resiliency, (node, key) => node[key]!);
        parent[keys[^1]] = JsonNode.Parse(json);

        Problems(resiliency).ShouldNotBeEmpty();
    }

    [Fact]
    public void TheComponentSchemaRefusesAMisspeltSecretReference()
    {
        var component = Yaml.File(Path.Combine(DaprDir, "production", "pubsub-kafka.yaml"));
        Rendered.Metadata(component, "saslPassword")!["secretRef"] = Rendered.Metadata(component, "saslPassword")!["secretKeyRef"]!.DeepClone();

        Problems(component).ShouldNotBeEmpty();
    }

    /// <summary>
    /// daprd (pkg/resiliency/policy.go) turns an open circuit breaker into a permanent error that ends the
    /// retries, and pkg/runtime/subscription sends the event to the dead-letter topic: inbound delivery has
    /// no breaker, and retries without end (-1) with a bounded back-off, so only DROP is dead-lettered.
    /// </summary>
    private static void InboundDeliveryIsRetriedWithoutEnd(JsonObject resiliency, string source)
    {
        var inbound = resiliency["spec"]!["targets"]!["components"]!["pubsub"]!["inbound"]!.AsObject();
        inbound.ContainsKey("circuitBreaker").ShouldBeFalse(source);
        var retry = resiliency["spec"]!["policies"]!["retries"]![(string)inbound["retry"]!]!;
        ((string?)retry["policy"]).ShouldBe("exponential", source);
        ((long)retry["maxRetries"]!).ShouldBe(-1, source);
        ((string?)retry["maxInterval"]).ShouldNotBeNullOrEmpty(source);
        ((string?)resiliency["spec"]!["policies"]!["timeouts"]![(string)inbound["timeout"]!]).ShouldNotBeNullOrEmpty(source);
    }

    [Fact]
    public async Task InboundDeliveryIsRetriedWithoutEndAndWithoutACircuitBreaker()
    {
        InboundDeliveryIsRetriedWithoutEnd((await helm.TemplateAsync()).OfKind("Resiliency").Single(), "chart");
        InboundDeliveryIsRetriedWithoutEnd(Yaml.File(Path.Combine(DaprDir, "common", "resiliency.yaml")), "deploy/dapr/common/resiliency.yaml");
    }

    /// <summary>Documents compared whatever their key order (the chart adds labels to metadata; the rest must be equal).</summary>
    private static void ShouldBeSame(JsonObject rendered, JsonObject deployed, params string[] parts)
    {
        ((string?)rendered["apiVersion"]).ShouldBe((string?)deployed["apiVersion"]);
        ((string?)rendered["metadata"]!["name"]).ShouldBe((string?)deployed["metadata"]!["name"]);
        foreach (var part in parts)
        {
            JsonNode.DeepEquals(rendered[part], deployed[part]).ShouldBeTrue($"{rendered["kind"]} {part}:\n{rendered[part]}\n--- deploy/dapr:\n{deployed[part]}");
        }
    }

    [Fact]
    public async Task TheChartsDaprResourcesAreThoseOfDeployDapr()
    {
        var rendered = await helm.TemplateAsync();

        ShouldBeSame(rendered.Single("Component", "pubsub"), Yaml.File(Path.Combine(DaprDir, "production", "pubsub-kafka.yaml")), "kind", "spec", "auth", "scopes");
        ShouldBeSame(rendered.Single("Component", "secretstore"), Yaml.File(Path.Combine(DaprDir, "production", "secretstore.yaml")), "kind", "spec", "scopes");
        ShouldBeSame(rendered.OfKind("Resiliency").Single(), Yaml.File(Path.Combine(DaprDir, "common", "resiliency.yaml")), "kind", "spec", "scopes");

        // The Configuration: common/config.yaml's tracing, with the in-cluster collector address.
        var configuration = rendered.OfKind("Configuration").Single();
        var local = Yaml.File(Path.Combine(DaprDir, "common", "config.yaml"));
        ((string?)configuration["metadata"]!["name"]).ShouldBe((string?)local["metadata"]!["name"]);
        var tracing = configuration["spec"]!["tracing"]!.DeepClone().AsObject();
        ((string?)tracing["otel"]!["endpointAddress"]).ShouldBe("otel-collector.observability.svc.cluster.local:4317");
        tracing["otel"]!["endpointAddress"] = (string?)local["spec"]!["tracing"]!["otel"]!["endpointAddress"];
        JsonNode.DeepEquals(tracing, local["spec"]!["tracing"]).ShouldBeTrue();
    }

    [Fact]
    public void TheLocalPubSubHasTheScopesOfTheProductionOne()
    {
        var local = Yaml.File(Path.Combine(DaprDir, "local", "pubsub-redis.yaml"));
        var production = Yaml.File(Path.Combine(DaprDir, "production", "pubsub-kafka.yaml"));

        foreach (var scopes in new[] { "subscriptionScopes", "publishingScopes" })
        {
            ((string?)Rendered.Metadata(local, scopes)!["value"]).ShouldBe((string?)Rendered.Metadata(production, scopes)!["value"], scopes);
        }
    }
}
