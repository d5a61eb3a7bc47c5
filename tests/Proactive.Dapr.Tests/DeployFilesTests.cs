using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Proactive.Contracts;
using Proactive.Notifier.Dapr;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tracker.Events;
using Proactive.Tracker.Publishing;
using YamlDotNet.RepresentationModel;
using NotifierProgram = Proactive.Notifier.Program;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// The files under deploy/ and charts/ agree with the code: app ids, ports, component names, topics, scopes;
/// the collector, the dashboard and the Helm chart agree with each other and with deploy/dapr.
/// </summary>
public partial class DeployFilesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string DaprDir = Path.Combine(Root, "deploy", "dapr");
    private static readonly string ObservabilityDir = Path.Combine(Root, "deploy", "observability");
    private static readonly string ChartDir = Path.Combine(Root, "charts", "proactive");
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
        EpisodeMessage.ToOutbox("A-1", 1, new(), null, null).Topic.ShouldBe(new EpisodeTopicHandler(null!).Topic);
        // Each app subscribes to its topics and their dead-letter topics (to read and replay them), and may publish
        // what it publishes and those dead-letter topics (daprd parks a dropped event there under the app's scopes).
        var options = new DaprHostingOptions();
        var trackerDeadLetters = EventTypes.Topics.Select(options.DeadLetterTopicFor).ToList();
        var expectedSubscriptions = $"tracker={string.Join(',', EventTypes.Topics.Concat(trackerDeadLetters))};notifier={Topics.Notices},{options.DeadLetterTopicFor(Topics.Notices)}";
        var expectedPublishing = $"tracker={string.Join(',', trackerDeadLetters.Prepend(Topics.Notices))};notifier={options.DeadLetterTopicFor(Topics.Notices)}";
        foreach (var (path, doc) in pubsubs)
        {
            S(doc, "metadata", "name").ShouldBe(options.PubSubName, path);
            ((YamlSequenceNode)doc["scopes"]).Select(s => ((YamlScalarNode)s).Value).ShouldBe(AppIds, ignoreOrder: true);
            S(Metadata(doc).Single(m => S(m, "name") == "subscriptionScopes"), "value").ShouldBe(expectedSubscriptions, path);
            S(Metadata(doc).Single(m => S(m, "name") == "publishingScopes"), "value").ShouldBe(expectedPublishing, path);
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

        // Inbound delivery retries without end and has no breaker (daprd dead-letters on an open breaker), so only DROP is dead-lettered.
        S(policies, "retries", S(target, "inbound", "retry"), "policy").ShouldBe("exponential");
        S(policies, "retries", S(target, "inbound", "retry"), "maxRetries").ShouldBe("-1");
        Child((YamlMappingNode)target["inbound"], "circuitBreaker").ShouldBeNull();
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

    // ---- Observability: deploy/observability and the Dapr tracing configuration

    /// <summary>The metrics the services' meters export, as the collector's Prometheus exporter names them.</summary>
    private static readonly string[] ProactiveMetrics =
    [
        "proactive_tracker_events_total",
        "proactive_tracker_episodes_opened_total",
        "proactive_tracker_timers_due",
        "proactive_tracker_timers_oldest_due_age_seconds",
        "proactive_tracker_outbox_pending",
        "proactive_notifier_notices_total",
        "proactive_notifier_event_to_send_seconds",
        "proactive_notifier_warning_lead_time_hours",
        "proactive_notifier_provider_errors_total",
        "proactive_notifier_receipts_total",
        "proactive_notifier_webhook_requests_total",
        "proactive_notifier_replies_total",
        "proactive_notifier_notices_claimed_total",
        "proactive_notifier_notices_due",
        "proactive_notifier_notices_oldest_due_age_seconds",
        "proactive_notifier_opt_outs_total",
        "proactive_notifier_circuit_state",
        "proactive_notifier_incidents_total",
        "proactive_notifier_incidents_open",
        "proactive_notifier_incident_alerts_total",
        "proactive_parked",
        "proactive_queue_failures_total",
        "proactive_queue_parked_total",
    ];

    /// <summary>Histograms of the OpenTelemetry .NET ASP.NET Core and HttpClient instrumentation the services enable.</summary>
    private static readonly string[] StandardMetrics =
    [
        "http_server_request_duration_seconds",
        "http_client_request_duration_seconds",
    ];

    /// <summary>"host:port" or "scheme://host:port" to "port".</summary>
    private static string PortOf(string endpoint) => endpoint[(endpoint.LastIndexOf(':') + 1)..];

    [Fact]
    public void TheCollectorReceivesOtlpAndRunsEveryPipelineThroughTheSafeguard()
    {
        var collector = Load(Path.Combine(ObservabilityDir, "otel-collector.yaml"));

        PortOf(S(collector, "receivers", "otlp", "protocols", "grpc", "endpoint")).ShouldBe("4317");
        PortOf(S(collector, "receivers", "otlp", "protocols", "http", "endpoint")).ShouldBe("4318");
        PortOf(S(collector, "exporters", "prometheus", "endpoint")).ShouldBe("8889");
        S(collector, "exporters", "prometheus", "resource_to_telemetry_conversion", "enabled").ShouldBe("true");

        var pipelines = (YamlMappingNode)collector["service"]["pipelines"];
        pipelines.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ShouldBe(["traces", "metrics", "logs"], ignoreOrder: true);
        foreach (var (name, pipeline) in pipelines.Children.Select(c => (((YamlScalarNode)c.Key).Value!, (YamlMappingNode)c.Value)))
        {
            foreach (var section in new[] { "receivers", "processors", "exporters" })
            {
                var defined = (YamlMappingNode)collector[section];
                foreach (var used in (YamlSequenceNode)pipeline[section])
                {
                    defined.Children.ShouldContainKey(used, $"{name}: {section} {used}");
                }
            }

            var processors = ((YamlSequenceNode)pipeline["processors"]).Select(p => ((YamlScalarNode)p).Value).ToList();
            processors[0].ShouldBe("memory_limiter", name);
            processors[^1].ShouldBe("batch", name);
            processors.ShouldContain("transform/redact", name);
        }

        ((YamlSequenceNode)pipelines["metrics"]["exporters"]).Select(e => ((YamlScalarNode)e).Value).ShouldContain("prometheus");

        // The safeguard deletes body and contact attributes from every kind of attribute map.
        var redact = (YamlMappingNode)collector["processors"]["transform/redact"];
        var statements = string.Join('\n', redact.AllNodes.OfType<YamlScalarNode>().Select(n => n.Value));
        foreach (var map in new[] { "resource", "span", "spanevent", "datapoint", "log" })
        {
            statements.ShouldContain($"delete_matching_keys({map}.attributes, ");
        }

        statements.ShouldContain("messaging\\\\.message\\\\.body");
        statements.ShouldContain("phone");
        statements.ShouldContain("email");
    }

    [Fact]
    public void TheSidecarsAndTheChartSendTracesToTheCollectorsPortOf()
    {
        var grpcPort = PortOf(S(Load(Path.Combine(ObservabilityDir, "otel-collector.yaml")), "receivers", "otlp", "protocols", "grpc", "endpoint"));
        var values = Load(Path.Combine(ChartDir, "values.yaml"));
        var inCluster = S(values, "dapr", "tracing", "endpointAddress");

        PortOf(S(Load(Path.Combine(DaprDir, "common", "config.yaml")), "spec", "tracing", "otel", "endpointAddress")).ShouldBe(grpcPort);
        PortOf(inCluster).ShouldBe(grpcPort);
        // The services' OTLP endpoint is the same collector (with a scheme), and the local config documents the in-cluster address.
        S(values, "telemetry", "otlpEndpoint").ShouldBe($"http://{inCluster}");
        File.ReadAllText(Path.Combine(DaprDir, "common", "config.yaml")).ShouldContain(inCluster);
        S(Load(Path.Combine(DaprDir, "dapr.yaml")), "common", "env", "OTEL_EXPORTER_OTLP_ENDPOINT").ShouldEndWith($":{grpcPort}");
    }

    /// <summary>A metric name in PromQL: before a label matcher's brace, or first in a variable's label_values(metric, label).</summary>
    [GeneratedRegex(@"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{|label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex SelectorName();

    [GeneratedRegex(@"\bproactive_[a-z0-9_]+\b")]
    private static partial Regex ProactiveName();

    private static string MetricFamily(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && !ProactiveMetrics.Contains(name) && !StandardMetrics.Contains(name))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    [Fact]
    public void TheDashboardChartsOnlyTheMetricsTheServicesEmitAndEveryOneOfThem()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ObservabilityDir, "grafana-dashboard.json")));
        var dashboard = json.RootElement;

        dashboard.GetProperty("title").GetString().ShouldBe("Proactive");
        dashboard.GetProperty("uid").GetString().ShouldNotBeNullOrWhiteSpace();
        dashboard.GetProperty("schemaVersion").GetInt32().ShouldBeGreaterThanOrEqualTo(36);
        dashboard.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldContain("proactive");

        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        var datasource = variables.Single(v => v.GetProperty("name").GetString() == "datasource");
        datasource.GetProperty("type").GetString().ShouldBe("datasource");
        datasource.GetProperty("query").GetString().ShouldBe("prometheus");

        var panels = dashboard.GetProperty("panels").EnumerateArray().ToList();
        panels.Select(p => p.GetProperty("id").GetInt32()).ShouldBeUnique();
        var rows = panels.Where(p => p.GetProperty("type").GetString() == "row").Select(p => p.GetProperty("title").GetString()).ToList();
        foreach (var row in new[] { "Intake", "Delays", "Notices", "Providers", "Queues" })
        {
            rows.ShouldContain(row);
        }

        var exprs = new List<string>();
        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var title = panel.GetProperty("title").GetString();
            panel.GetProperty("datasource").GetProperty("uid").GetString().ShouldBe("${datasource}", title);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            targets.ShouldNotBeEmpty(title);
            foreach (var target in targets)
            {
                target.GetProperty("datasource").GetProperty("uid").GetString().ShouldBe("${datasource}", title);
                exprs.Add(target.GetProperty("expr").GetString()!);
            }
        }

        exprs.AddRange(variables.Where(v => v.GetProperty("type").GetString() == "query").Select(v => v.GetProperty("definition").GetString()!));

        var allowed = ProactiveMetrics.Concat(StandardMetrics).ToHashSet();
        var used = new HashSet<string>();
        foreach (var expr in exprs)
        {
            var names = SelectorName().Matches(expr).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
            names.ShouldNotBeEmpty(expr);
            foreach (var name in names)
            {
                allowed.ShouldContain(MetricFamily(name), $"{name} in {expr}");
                used.Add(MetricFamily(name));
            }

            // Every Proactive metric is written as a selector with braces, so the check above saw it.
            ProactiveName().Matches(expr).Select(m => m.Value).ShouldAllBe(n => names.Contains(n), expr);
        }

        ProactiveMetrics.ShouldAllBe(m => used.Contains(m));
    }

    // ---- Helm chart: charts/proactive (rendered by a real Helm in Proactive.Deploy.Tests; here: agreement with the code)

    [Fact]
    public void TheChartNamesTheAppIdsPortsTopicsAndDaprNamesTheCodeUses()
    {
        var chart = Load(Path.Combine(ChartDir, "Chart.yaml"));
        S(chart, "apiVersion").ShouldBe("v2");
        S(chart, "name").ShouldBe("proactive");
        S(chart, "version").ShouldNotBeNullOrWhiteSpace();
        S(chart, "appVersion").ShouldNotBeNullOrWhiteSpace();

        var values = Load(Path.Combine(ChartDir, "values.yaml"));
        var services = new[]
        {
            (Key: "tracker", AppPort: TrackerProgram.DefaultAppPort, HttpUrl: TrackerProgram.DefaultHttpUrl, Topics: EventTypes.Topics),
            (Key: "notifier", AppPort: NotifierProgram.DefaultAppPort, HttpUrl: NotifierProgram.DefaultHttpUrl, Topics: (IReadOnlyList<string>)[Topics.Notices]),
        };
        var runFile = ((YamlSequenceNode)Load(Path.Combine(DaprDir, "dapr.yaml"))["apps"]).Cast<YamlMappingNode>().ToDictionary(a => S(a, "appID"));
        foreach (var service in services)
        {
            S(values, service.Key, "appId").ShouldBe(service.Key);
            runFile.ShouldContainKey(S(values, service.Key, "appId"));
            S(values, service.Key, "appPort").ShouldBe(service.AppPort.ToString(CultureInfo.InvariantCulture));
            S(values, service.Key, "httpPort").ShouldBe(new Uri(service.HttpUrl).Port.ToString(CultureInfo.InvariantCulture));
            ((YamlSequenceNode)values[service.Key]["topics"]).Select(t => ((YamlScalarNode)t).Value).ShouldBe(service.Topics);
        }

        S(values, "dapr", "pubsub", "name").ShouldBe(new DaprHostingOptions().PubSubName);
        S(values, "dapr", "pubsub", "deadLetterSuffix").ShouldBe(new DaprHostingOptions().DeadLetterSuffix);
        S(values, "dapr", "secretStore", "name").ShouldBe(S(Load(Path.Combine(DaprDir, "production", "secretstore.yaml")), "metadata", "name"));
        S(values, "dapr", "secretStore", "name").ShouldBe(S(runFile["notifier"], "env", "Proactive__Dapr__SecretStore"));
        File.ReadAllText(Path.Combine(DaprDir, "production", "secretstore.yaml")).ShouldContain($"\"{S(values, "notifier", "providersSecret")}\"");
        S(values, "dapr", "configName").ShouldBe(S(Load(Path.Combine(DaprDir, "common", "config.yaml")), "metadata", "name"));

        S(values, "podSecurityContext", "runAsNonRoot").ShouldBe("true");
        S(values, "securityContext", "readOnlyRootFilesystem").ShouldBe("true");
        S(values, "securityContext", "allowPrivilegeEscalation").ShouldBe("false");
    }

    [Theory]
    [InlineData("tracker")]
    [InlineData("notifier")]
    public void TheChartsDeploymentRunsTheServiceBesideAGrpcSidecarWithProbesAndNoRoot(string service)
    {
        var template = File.ReadAllText(Path.Combine(ChartDir, "templates", $"{service}-deployment.yaml"));

        template.ShouldContain($"{{{{- $svc := .Values.{service} -}}}}");
        string[] expected =
        [
            "dapr.io/enabled: \"true\"",
            "dapr.io/app-id: {{ $svc.appId | quote }}",
            "dapr.io/app-port: {{ $svc.appPort | quote }}",
            "dapr.io/app-protocol: grpc",
            "dapr.io/config: {{ .Values.dapr.configName | quote }}",
            "dapr.io/enable-app-health-check:",
            "- name: APP_PORT\n              value: {{ $svc.appPort | quote }}",
            "- name: Proactive__HttpUrl\n              value: {{ printf \"http://0.0.0.0:%v\" $svc.httpPort | quote }}",
            "- name: Proactive__Store\n              value: Postgres",
            "- name: ConnectionStrings__Proactive\n              valueFrom:\n                secretKeyRef:",
            "- name: OTEL_EXPORTER_OTLP_ENDPOINT",
            "- name: OTEL_SERVICE_NAME",
            "- name: OTEL_RESOURCE_ATTRIBUTES",
            "containerPort: {{ $svc.httpPort }}",
            "path: /healthz",
            "path: /livez",
            "- name: Proactive__Dapr__DeadLetterSuffix",
            "toYaml .Values.securityContext",
            "toYaml .Values.podSecurityContext",
            "mountPath: /tmp",
        ];
        foreach (var text in expected)
        {
            template.ShouldContain(text, Case.Sensitive, service);
        }

        // The HTTP health check path is an HTTP-app-channel setting; with app protocol grpc daprd calls AppCallbackHealthCheck.
        template.ShouldNotContain("app-health-check-path");
        if (service == "notifier")
        {
            template.ShouldContain("- name: Proactive__Dapr__SecretStore");
            template.ShouldContain("- name: Proactive__Dapr__SecretName");
        }
    }
}
