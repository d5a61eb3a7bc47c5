using System.Text.Json.Nodes;

namespace Proactive.Deploy.Tests;

/// <summary>charts/proactive as Helm itself lints and renders it.</summary>
public class ChartTests(Helm helm)
{
    private static readonly string[] Components = ["tracker", "notifier"];

    [Fact]
    public async Task LintStrictPassesOnTheDefaultValues()
    {
        var lint = await helm.LintAsync();

        lint.ExitCode.ShouldBe(0, lint.All);
    }

    [Theory]
    [InlineData("tracker.replicas=three", "/tracker/replicas")]
    [InlineData("notifier.replicas=-1", "/notifier/replicas")]
    [InlineData("tracker.httpPort=70000", "/tracker/httpPort")]
    [InlineData("notifier.appPort=0", "/notifier/appPort")]
    [InlineData("tracker.httpPort=http", "/tracker/httpPort")]
    [InlineData("tracker.replica=2", "replica")]
    [InlineData("dapr.pubsub.saslMechanism=SCRAM", "/dapr/pubsub/saslMechanism")]
    [InlineData("dapr.resiliency.inbound.maxInterval=a minute", "/dapr/resiliency/inbound/maxInterval")]
    [InlineData("auth.mode=Maybe", "/auth/mode")]
    [InlineData("auth.jwt.authority=http://id.example.com", "/auth/jwt/authority")]
    [InlineData("notifier.console.sidecarGrpcPort=0", "/notifier/console/sidecarGrpcPort")]
    public async Task LintStrictFailsOnABadValueNamingIt(string set, string named)
    {
        var lint = await helm.LintAsync(set);

        lint.ExitCode.ShouldNotBe(0, lint.All);
        lint.All.ShouldContain(named);
    }

    [Fact]
    public async Task ThePodsCarryAChecksumOfTheDaprResourcesThatChangesWithThem()
    {
        static string[] Checksums(Rendered r) =>
            Components.Select(c => Rendered.Annotation(r.Deployment(c), "checksum/dapr")!).ToArray();

        var defaults = Checksums(await helm.TemplateAsync());
        defaults.ShouldAllBe(c => c.Length == 64);
        defaults.Distinct().Count().ShouldBe(1);

        // Resiliency, pub/sub and configuration values each roll the pods; a value outside the Dapr resources does not.
        foreach (var set in new[] { "dapr.resiliency.inbound.maxInterval=30s", "dapr.resiliency.outbound.maxRetries=7", "dapr.pubsub.saslMechanism=SHA-256", "dapr.tracing.samplingRate=0.1" })
        {
            var changed = Checksums(await helm.TemplateAsync(set));
            changed.ShouldAllBe(c => c != defaults[0], set);
        }

        Checksums(await helm.TemplateAsync("tracker.replicas=3")).ShouldBe(defaults);
    }

    [Theory]
    [InlineData("", "proactive-tracker:0.1.0")]
    [InlineData("registry.example.com/shop", "registry.example.com/shop/proactive-tracker:0.1.0")]
    [InlineData("registry.example.com/shop/", "registry.example.com/shop/proactive-tracker:0.1.0")]
    [InlineData("registry.example.com:5000", "registry.example.com:5000/proactive-tracker:0.1.0")]
    public async Task RegistryAndRepositoryAreJoinedByOneSlash(string registry, string image)
    {
        var rendered = await helm.TemplateAsync($"image.registry={registry}");

        ((string?)Rendered.Container(rendered.Deployment("tracker"))["image"]).ShouldBe(image);
        ((string?)Rendered.Container(rendered.Deployment("notifier"))["image"]).ShouldBe(image.Replace("tracker", "notifier", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LivenessAsksTheProcessReadinessAndStartupAlsoTheStore()
    {
        var rendered = await helm.TemplateAsync();

        foreach (var component in Components)
        {
            var container = Rendered.Container(rendered.Deployment(component));
            ((string?)container["livenessProbe"]!["httpGet"]!["path"]).ShouldBe("/livez", component);
            ((string?)container["readinessProbe"]!["httpGet"]!["path"]).ShouldBe("/healthz", component);
            ((string?)container["startupProbe"]!["httpGet"]!["path"]).ShouldBe("/healthz", component);
        }
    }

    [Fact]
    public async Task TheSidecarsProbeTheAppSoThatTheyStopDeliveringWhileItIsUnhealthy()
    {
        var rendered = await helm.TemplateAsync();

        foreach (var component in Components)
        {
            var deployment = rendered.Deployment(component);
            Rendered.Annotation(deployment, "dapr.io/enable-app-health-check").ShouldBe("true");
            int.Parse(Rendered.Annotation(deployment, "dapr.io/app-health-probe-interval")!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 30);
            Rendered.Annotation(deployment, "dapr.io/app-health-threshold").ShouldNotBeNull();
            // gRPC apps are probed with AppCallbackHealthCheck; the path is for HTTP apps.
            Rendered.Annotation(deployment, "dapr.io/app-protocol").ShouldBe("grpc");
            Rendered.Annotation(deployment, "dapr.io/app-health-check-path").ShouldBeNull();
            Rendered.Annotation(deployment, "dapr.io/sidecar-seccomp-profile-type").ShouldBe("RuntimeDefault");
        }
    }

    [Fact]
    public async Task BothServicesRequireAuthenticationWithTheIssuerAndTheKeysHashesGiven()
    {
        var hash = new string('a', 64);
        var rendered = await helm.TemplateAsync(
            "auth.jwt.authority=https://id.example.com",
            "auth.jwt.audience=proactive",
            "auth.apiKeys[0].name=shop",
            $"auth.apiKeys[0].hash={hash}",
            "auth.apiKeys[0].scopes={events:write,orders:read}");

        foreach (var component in Components)
        {
            var deployment = rendered.Deployment(component);
            Rendered.Env(deployment, "Proactive__Auth__Mode").ShouldBe("Required");
            Rendered.Env(deployment, "Proactive__Auth__Jwt__Authority").ShouldBe("https://id.example.com");
            Rendered.Env(deployment, "Proactive__Auth__Jwt__Audience").ShouldBe("proactive");
            Rendered.Env(deployment, "Proactive__Auth__ApiKeys__shop__Hash").ShouldBe(hash);
            Rendered.Env(deployment, "Proactive__Auth__ApiKeys__shop__Scopes").ShouldBe("events:write orders:read");
        }

        Rendered.Env((await helm.TemplateAsync()).Deployment("tracker"), "Proactive__Auth__Mode").ShouldBe("Required");
        (await helm.LintAsync("auth.apiKeys[0].name=shop", "auth.apiKeys[0].hash=not-a-hash", "auth.apiKeys[0].scopes={orders:read}")).ExitCode.ShouldNotBe(0);
    }

    [Fact]
    public async Task NotifierRequiresProviderCredentials()
    {
        var rendered = await helm.TemplateAsync();

        Rendered.Env(rendered.Deployment("notifier"), "Proactive__Dispatch__RequireProviders").ShouldBe("true");
        Rendered.Env((await helm.TemplateAsync("notifier.requireProviders=false")).Deployment("notifier"), "Proactive__Dispatch__RequireProviders").ShouldBe("false");
    }

    /// <summary>The console is off by default; on, Notifier calls Tracker's app id through its sidecar with the key from the secret.</summary>
    [Fact]
    public async Task NotifiersConsoleReachesTrackerThroughItsSidecarWithAKeyFromASecret()
    {
        var off = (await helm.TemplateAsync()).Deployment("notifier");
        var on = (await helm.TemplateAsync("notifier.console.enabled=true", "tracker.appId=orders-tracker", "notifier.console.trackerKeySecret.name=cx")).Deployment("notifier");

        Rendered.Env(off, "Proactive__Console__Tracker__Address").ShouldBeNull();
        Rendered.Env(on, "Proactive__Console__Tracker__Address").ShouldBe("http://127.0.0.1:50001");
        Rendered.Env(on, "Proactive__Console__Tracker__AppId").ShouldBe("orders-tracker");
        var key = Rendered.Container(on)["env"]!.AsArray()
            .Single(e => e!["name"]!.GetValue<string>() == "Proactive__Console__Tracker__ApiKey")!;
        key["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>().ShouldBe("cx");
        key["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>().ShouldBe("tracker-api-key");
        Rendered.Env(on, "Proactive__Console__Oidc__ClientId").ShouldBeNull();
    }

    [Fact]
    public async Task NotifiersConsoleSignsInAtTheIssuerWithAClientSecretFromASecret()
    {
        var on = (await helm.TemplateAsync("notifier.console.enabled=true", "auth.jwt.authority=https://id.example.com", "notifier.console.oidc.clientId=proactive-console", "notifier.console.oidc.clientSecret.name=cx-oidc")).Deployment("notifier");
        var consoleOff = (await helm.TemplateAsync("notifier.console.oidc.clientId=proactive-console")).Deployment("notifier");

        Rendered.Env(on, "Proactive__Console__Oidc__ClientId").ShouldBe("proactive-console");
        var secret = Rendered.Container(on)["env"]!.AsArray()
            .Single(e => e!["name"]!.GetValue<string>() == "Proactive__Console__Oidc__ClientSecret")!;
        secret["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>().ShouldBe("cx-oidc");
        secret["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>().ShouldBe("oidc-client-secret");
        Rendered.Env(consoleOff, "Proactive__Console__Oidc__ClientId").ShouldBeNull();

        // A client id without the issuer fails at install, not as a pod refusing to start.
        var refused = await helm.RunAsync("template", "proactive", Helm.Chart, "--set", "notifier.console.enabled=true", "--set", "notifier.console.oidc.clientId=cx");
        refused.ExitCode.ShouldNotBe(0, refused.All);
        refused.All.ShouldContain("needs auth.jwt.authority");
    }

    /// <summary>Forwarded headers are not trusted by default; behind a TLS-terminating proxy the value turns on ASP.NET Core's own handling of them.</summary>
    [Fact]
    public async Task NotifierTrustsAProxysForwardedHeadersOnlyWhenTold()
    {
        var off = (await helm.TemplateAsync("notifier.console.enabled=true")).Deployment("notifier");
        var on = (await helm.TemplateAsync("notifier.console.enabled=true", "notifier.console.trustForwardedHeaders=true")).Deployment("notifier");

        Rendered.Env(off, "ASPNETCORE_FORWARDEDHEADERS_ENABLED").ShouldBeNull();
        Rendered.Env(on, "ASPNETCORE_FORWARDEDHEADERS_ENABLED").ShouldBe("true");
        var refused = await helm.RunAsync("template", "proactive", Helm.Chart, "--set", "notifier.console.trustForwardedHeaders=yes");
        refused.ExitCode.ShouldNotBe(0, refused.All);
        refused.All.ShouldContain("trustForwardedHeaders");
    }

    /// <summary>The Backtest page's reports: none by default; a volume given is mounted read-only and named to Notifier.</summary>
    [Fact]
    public async Task NotifiersBacktestPageReadsReportsFromAVolumeMountedReadOnly()
    {
        var without = (await helm.TemplateAsync("notifier.console.enabled=true")).Deployment("notifier");
        var with = (await helm.TemplateAsync("notifier.console.enabled=true", "notifier.console.replayReportsVolume.persistentVolumeClaim.claimName=replay-reports")).Deployment("notifier");

        Rendered.Env(without, "Proactive__Console__ReplayReports").ShouldBeNull();
        Rendered.PodTemplate(without)["spec"]!["volumes"]!.AsArray().ShouldNotContain(v => (string?)v!["name"] == "replay-reports");
        Rendered.Env(with, "Proactive__Console__ReplayReports").ShouldBe("/replay-reports");
        var mount = Rendered.Container(with)["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == "replay-reports")!;
        ((string?)mount["mountPath"]).ShouldBe("/replay-reports");
        ((bool?)mount["readOnly"]).ShouldBe(true);
        var volume = Rendered.PodTemplate(with)["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "replay-reports")!;
        ((string?)volume["persistentVolumeClaim"]!["claimName"]).ShouldBe("replay-reports");
    }

    [Fact]
    public async Task TmpIsASizeLimitedEmptyDir()
    {
        var rendered = await helm.TemplateAsync("tmpSizeLimit=64Mi");

        foreach (var component in Components)
        {
            var volume = Rendered.PodTemplate(rendered.Deployment(component))["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "tmp")!;
            ((string?)volume["emptyDir"]!["sizeLimit"]).ShouldBe("64Mi");
        }
    }

    private static JsonObject PodLabels(JsonObject deployment) => Rendered.PodTemplate(deployment)["metadata"]!["labels"]!.AsObject();

    private static void ShouldSelect(JsonNode? matchLabels, JsonObject deployment)
    {
        var labels = PodLabels(deployment);
        var selector = matchLabels!.AsObject();
        selector.Count.ShouldBeGreaterThan(0);
        foreach (var (key, value) in selector)
        {
            ((string?)labels[key]).ShouldBe((string?)value, key);
        }
    }

    [Fact]
    public async Task EachServiceHasAPodDisruptionBudgetOverItsPods()
    {
        var rendered = await helm.TemplateAsync();

        foreach (var component in Components)
        {
            var budget = rendered.Single("PodDisruptionBudget", $"proactive-{component}");
            ((long)budget["spec"]!["maxUnavailable"]!).ShouldBe(1);
            ShouldSelect(budget["spec"]!["selector"]!["matchLabels"], rendered.Deployment(component));
        }

        (await helm.TemplateAsync("podDisruptionBudget.enabled=false")).OfKind("PodDisruptionBudget").ShouldBeEmpty();
    }

    [Fact]
    public async Task AutoscalingIsOptionalAndThenOwnsTheReplicaCount()
    {
        var defaults = await helm.TemplateAsync("tracker.replicas=2");
        defaults.OfKind("HorizontalPodAutoscaler").ShouldBeEmpty();
        ((long)defaults.Deployment("tracker")["spec"]!["replicas"]!).ShouldBe(2);

        var scaled = await helm.TemplateAsync("tracker.autoscaling.enabled=true", "tracker.autoscaling.maxReplicas=9");
        var autoscaler = scaled.Single("HorizontalPodAutoscaler", "proactive-tracker");
        ((string?)autoscaler["spec"]!["scaleTargetRef"]!["kind"]).ShouldBe("Deployment");
        ((string?)autoscaler["spec"]!["scaleTargetRef"]!["name"]).ShouldBe("proactive-tracker");
        ((long)autoscaler["spec"]!["maxReplicas"]!).ShouldBe(9);
        scaled.Deployment("tracker")["spec"]!.AsObject().ContainsKey("replicas").ShouldBeFalse();
        scaled.Deployment("notifier")["spec"]!.AsObject().ContainsKey("replicas").ShouldBeTrue();
        scaled.OfKind("HorizontalPodAutoscaler").Count().ShouldBe(1);
    }

    [Fact]
    public async Task NetworkPoliciesAreOptionalAndOpenTheHttpPortToTheChosenPeers()
    {
        (await helm.TemplateAsync()).OfKind("NetworkPolicy").ShouldBeEmpty();

        var rendered = await helm.TemplateAsync("networkPolicy.enabled=true", "notifier.webhooks.ingress.enabled=true", "notifier.webhooks.ingress.host=hooks.example.com");
        foreach (var (component, port) in new[] { ("tracker", 5100), ("notifier", 5200) })
        {
            var policy = rendered.Single("NetworkPolicy", $"proactive-{component}");
            ShouldSelect(policy["spec"]!["podSelector"]!["matchLabels"], rendered.Deployment(component));
            var http = policy["spec"]!["ingress"]!.AsArray().Single(r => r!["ports"]!.AsArray().Any(p => (long)p!["port"]! == port))!;
            var peers = http["from"]!.AsArray();
            peers.ShouldContain(p => p!["podSelector"] != null);
            peers.Any(p => p!["namespaceSelector"] != null).ShouldBe(component == "notifier", component);
        }
    }

    [Fact]
    public async Task KafkaTakesABrokerListASaslMechanismACaFromASecretAndAConsumerGroupPerNamespace()
    {
        var defaults = (await helm.TemplateAsync()).Single("Component", "pubsub");
        ((string?)Rendered.Metadata(defaults, "consumerGroup")!["value"]).ShouldBe("{namespace}");
        ((string?)Rendered.Metadata(defaults, "saslMechanism")!["value"]).ShouldBe("SHA-512");
        ((string?)Rendered.Metadata(defaults, "maxMessageBytes")!["value"]).ShouldBe("1048576");
        Rendered.Metadata(defaults, "caCert").ShouldBeNull();

        var component = (await helm.TemplateAsync(
            "dapr.pubsub.brokers={kafka-0.kafka:9093,kafka-1.kafka:9093}",
            "dapr.pubsub.caCertSecret.name=kafka-ca",
            "dapr.pubsub.saslMechanism=SHA-256")).Single("Component", "pubsub");
        ((string?)Rendered.Metadata(component, "brokers")!["value"]).ShouldBe("kafka-0.kafka:9093,kafka-1.kafka:9093");
        ((string?)Rendered.Metadata(component, "saslMechanism")!["value"]).ShouldBe("SHA-256");
        var ca = Rendered.Metadata(component, "caCert")!;
        ca.ContainsKey("value").ShouldBeFalse();
        ((string?)ca["secretKeyRef"]!["name"]).ShouldBe("kafka-ca");
        ((string?)ca["secretKeyRef"]!["key"]).ShouldBe("ca.crt");
        ((string?)component["auth"]!["secretStore"]).ShouldBe("kubernetes");
    }

    [Fact]
    public async Task EachAppMayPublishOnlyItsTopicsAndTheDeadLetterTopicsOfItsSubscriptions()
    {
        var component = (await helm.TemplateAsync()).Single("Component", "pubsub");
        var subscribes = Rendered.Scopes((string)Rendered.Metadata(component, "subscriptionScopes")!["value"]!);
        var publishes = Rendered.Scopes((string)Rendered.Metadata(component, "publishingScopes")!["value"]!);

        subscribes["tracker"].ShouldBe(["orders", "shipments", "orders-deadletter", "shipments-deadletter"]);
        subscribes["notifier"].ShouldBe(["notices", "notices-deadletter"]);
        publishes["tracker"].ShouldBe(["notices", "orders-deadletter", "shipments-deadletter"]);
        // daprd publishes a dropped event to the dead-letter topic through the app's own sidecar, under its publishing scopes.
        publishes["notifier"].ShouldBe(["notices-deadletter"]);
    }

    [Fact]
    public async Task AnOptionalPrometheusRuleAlertsWhenDeadLettersGrow()
    {
        (await helm.TemplateAsync()).OfKind("PrometheusRule").ShouldBeEmpty();

        var rule = (await helm.TemplateAsync("monitoring.prometheusRule.enabled=true", "monitoring.prometheusRule.labels.release=kube-prometheus-stack"))
            .OfKind("PrometheusRule").Single();
        ((string?)rule["apiVersion"]).ShouldBe("monitoring.coreos.com/v1");
        ((string?)rule["metadata"]!["labels"]!["release"]).ShouldBe("kube-prometheus-stack");
        var alert = rule["spec"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Single(r => (string?)r!["alert"] == "ProactiveDeadLettersGrowing")!;
        ((string)alert["expr"]!).ShouldBe("sum by (job, queue) (increase(proactive_queue_parked_total{queue=~\"deadletter\\\\..+\"}[15m])) > 0");
        ((string?)alert["labels"]!["severity"]).ShouldBe("warning");
        ((string)alert["annotations"]!["summary"]!).ShouldContain("{{ $labels.queue }}");
    }

    [Fact]
    public async Task TheNotesNameTheSidecarHardeningPrerequisite()
    {
        var install = await helm.RunAsync("install", "proactive", Helm.Chart, "--dry-run=client", "--namespace", "shop");

        install.ExitCode.ShouldBe(0, install.All);
        var notes = install.Output[install.Output.IndexOf("NOTES:", StringComparison.Ordinal)..];
        notes.ShouldContain("dapr_sidecar_injector.sidecarDropALLCapabilities=true");
        notes.ShouldContain("RuntimeDefault");
    }
}
