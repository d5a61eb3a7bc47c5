using Proactive.Notifier.Dapr;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tracker.Events;
using Proactive.Tracker.Publishing;
using YamlDotNet.RepresentationModel;
using NotifierProgram = Proactive.Notifier.Program;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>The files under deploy/dapr agree with the code: app ids, ports, component names, topics, scopes.</summary>
public class DeployFilesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string DaprDir = Path.Combine(Root, "deploy", "dapr");
    private static readonly string[] AppIds = ["tracker", "notifier"];

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Proactive.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static IEnumerable<(string Path, YamlMappingNode Doc)> Resources() =>
        Directory.EnumerateFiles(DaprDir, "*.yaml", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "dapr.yaml")
            .Select(p => (p, Load(p)));

    private static string S(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node)[key];
        }

        return ((YamlScalarNode)node).Value!;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static IEnumerable<YamlMappingNode> Metadata(YamlMappingNode component) =>
        Child((YamlMappingNode)component["spec"], "metadata") is YamlSequenceNode items ? items.Cast<YamlMappingNode>() : [];

    [Fact]
    public void TheRunFileStartsBothServicesOnTheirAppPortsWithGrpc()
    {
        var run = Load(Path.Combine(DaprDir, "dapr.yaml"));
        var apps = ((YamlSequenceNode)run["apps"]).Cast<YamlMappingNode>().ToDictionary(a => S(a, "appID"));

        apps.Keys.ShouldBe(AppIds, ignoreOrder: true);
        S(run, "common", "appProtocol").ShouldBe("grpc");
        S(apps["tracker"], "appPort").ShouldBe(TrackerProgram.DefaultAppPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        S(apps["notifier"], "appPort").ShouldBe(NotifierProgram.DefaultAppPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var app in apps.Values)
        {
            S(app, "env", "APP_PORT").ShouldBe(S(app, "appPort"));
            Directory.Exists(Path.Combine(DaprDir, S(app, "appDirPath"))).ShouldBeTrue();
        }

        foreach (var path in (YamlSequenceNode)run["common"]["resourcesPaths"])
        {
            Directory.Exists(Path.Combine(DaprDir, ((YamlScalarNode)path).Value!)).ShouldBeTrue();
        }

        File.Exists(Path.Combine(DaprDir, S(run, "common", "configFilePath"))).ShouldBeTrue();
    }

    [Fact]
    public void EveryResourceIsScopedToOurAppsAndSpelledAsDaprExpects()
    {
        foreach (var (path, doc) in Resources())
        {
            S(doc, "apiVersion").ShouldBe("dapr.io/v1alpha1", path);
            S(doc, "kind").ShouldBeOneOf(["Component", "Resiliency", "Configuration"], path);
            if (S(doc, "kind") == "Configuration")
            {
                continue;
            }

            var scopes = ((YamlSequenceNode)doc["scopes"]).Select(s => ((YamlScalarNode)s).Value!).ToList();
            scopes.ShouldNotBeEmpty(path);
            scopes.ShouldAllBe(s => AppIds.Contains(s), path);
            if (S(doc, "kind") == "Component")
            {
                S(doc, "spec", "version").ShouldBe("v1", path);
            }
        }
    }

    [Fact]
    public void ThePubSubComponentsCarryTheNameAndTopicsTheCodeUses()
    {
        var pubsubs = Resources().Where(r => S(r.Doc, "kind") == "Component" && S(r.Doc, "spec", "type").StartsWith("pubsub.", StringComparison.Ordinal)).ToList();

        pubsubs.Select(p => S(p.Doc, "spec", "type")).ShouldBe(["pubsub.redis", "pubsub.kafka"], ignoreOrder: true);
        OutgoingEvent.EpisodeTopic.ShouldBe(EpisodeTopicHandler.EpisodeTopic);
        var expectedScopes = $"tracker={string.Join(',', EventTypes.Topics)};notifier={EpisodeTopicHandler.EpisodeTopic}";
        foreach (var (path, doc) in pubsubs)
        {
            S(doc, "metadata", "name").ShouldBe(new DaprHostingOptions().PubSubName, path);
            ((YamlSequenceNode)doc["scopes"]).Select(s => ((YamlScalarNode)s).Value).ShouldBe(AppIds, ignoreOrder: true);
            S(Metadata(doc).Single(m => S(m, "name") == "subscriptionScopes"), "value").ShouldBe(expectedScopes, path);
        }
    }

    [Fact]
    public void TheResiliencySpecTargetsThePubSubInboundAndOutboundWithPoliciesThatExist()
    {
        var resiliency = Load(Path.Combine(DaprDir, "common", "resiliency.yaml"));
        var policies = (YamlMappingNode)resiliency["spec"]["policies"];
        var target = (YamlMappingNode)resiliency["spec"]["targets"]["components"][new DaprHostingOptions().PubSubName];

        foreach (var direction in new[] { "inbound", "outbound" })
        {
            var applied = (YamlMappingNode)target[direction];
            foreach (var (kind, section) in new[] { ("retry", "retries"), ("timeout", "timeouts"), ("circuitBreaker", "circuitBreakers") })
            {
                if (Child(applied, kind) is YamlScalarNode name)
                {
                    ((YamlMappingNode)policies[section]).Children.ShouldContainKey(new YamlScalarNode(name.Value!), $"{direction}.{kind}");
                }
            }
        }

        S(policies, "retries", S(target, "inbound", "retry"), "policy").ShouldBe("exponential");
        Child((YamlMappingNode)target["inbound"], "circuitBreaker").ShouldNotBeNull();
    }

    [Fact]
    public void TracingGoesToAnOtlpEndpoint()
    {
        var config = Load(Path.Combine(DaprDir, "common", "config.yaml"));

        S(config, "kind").ShouldBe("Configuration");
        S(config, "spec", "tracing", "otel", "endpointAddress").ShouldNotBeNullOrWhiteSpace();
        S(config, "spec", "tracing", "samplingRate").ShouldBe("1");
    }

    [Fact]
    public void NoSecretIsWrittenInClear()
    {
        string[] sensitive = ["password", "token", "apikey"];
        foreach (var (path, doc) in Resources().Where(r => S(r.Doc, "kind") == "Component"))
        {
            foreach (var item in Metadata(doc).Where(m => sensitive.Any(w => S(m, "name").Contains(w, StringComparison.OrdinalIgnoreCase))))
            {
                var value = Child(item, "value") as YamlScalarNode;
                (value is null || string.IsNullOrEmpty(value.Value)).ShouldBeTrue($"{path}: {S(item, "name")} must use secretKeyRef");
            }
        }
    }
}
