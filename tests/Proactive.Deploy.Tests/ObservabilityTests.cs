using System.Text.Json;
using System.Text.RegularExpressions;

namespace Proactive.Deploy.Tests;

/// <summary>deploy/observability: the dashboard's PromQL under Prometheus 3, and the collector's masking.</summary>
public partial class ObservabilityTests
{
    private static readonly string Dir = Path.Combine(Helm.Root, "deploy", "observability");

    [GeneratedRegex("""\ble\s*(=~|!~|=|!=)\s*"((?:[^"\\]|\\.)*)"\s*""")]
    private static partial Regex LeMatcher();

    /// <summary>A PromQL double-quoted string's text (Go escapes: \\ and \" are the ones used here).</summary>
    private static string Unquote(string text) => Regex.Unescape(text);

    [Fact]
    public void EveryLeMatcherOfTheDashboardMatchesTheBucketAsPrometheus2And3WriteIt()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "grafana-dashboard.json")));
        var exprs = json.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();

        var matchers = exprs.SelectMany(e => LeMatcher().Matches(e)).ToList();
        matchers.ShouldNotBeEmpty();
        foreach (var matcher in matchers)
        {
            // Prometheus 3 stores a classic histogram's le as a float ("0.0"), Prometheus 2 as exposed ("0"): an
            // equality names one of them only; a regex must match both.
            matcher.Groups[1].Value.ShouldBe("=~", matcher.Value);
            var regex = new Regex($"^(?:{Unquote(matcher.Groups[2].Value)})$");
            regex.IsMatch("0").ShouldBeTrue(matcher.Value);
            regex.IsMatch("0.0").ShouldBeTrue(matcher.Value);
            regex.IsMatch("0.5").ShouldBeFalse(matcher.Value);
            regex.IsMatch("10.0").ShouldBeFalse(matcher.Value);
        }
    }

    [GeneratedRegex("""^replace_(?:all_)?patterns?\((span|spanevent)(?:\.attributes|\.status\.message)(?:, "value")?, "((?:[^"\\]|\\.)*)", "(\[[a-z]+\])"\)""")]
    private static partial Regex SpanReplacement();

    [Fact]
    public void TheCollectorMasksPhoneNumbersAndEmailAddressesInSpanAndSpanEventAttributeValues()
    {
        var collector = Yaml.File(Path.Combine(Dir, "otel-collector.yaml"));
        var statements = collector["processors"]!["transform/redact"]!["trace_statements"]!.AsArray()
            .SelectMany(g => g!["statements"]!.AsArray()).Select(s => (string)s!).ToList();

        foreach (var target in new[] { "span", "spanevent" })
        {
            var masks = statements.Select(s => SpanReplacement().Match(s)).Where(m => m.Success && m.Groups[1].Value == target && m.Value.Contains(".attributes", StringComparison.Ordinal)).ToList();
            string Masked(string text) => masks.Aggregate(text, (t, m) => new Regex(Unquote(m.Groups[2].Value)).Replace(t, m.Groups[3].Value));

            Masked("sms to +821012345678 failed").ShouldBe("sms to [number] failed", target);
            Masked("GET /v1/replies?from=%2B821012345678&page=2").ShouldBe("GET /v1/replies?from=[number]&page=2", target);
            Masked("mail to kim.minji+shop@example.co.kr bounced").ShouldBe("mail to [email] bounced", target);
            Masked("order A-1001 late by 2 days").ShouldBe("order A-1001 late by 2 days", target);
        }
    }
}
