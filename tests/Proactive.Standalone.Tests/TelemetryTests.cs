using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Proactive.ServiceDefaults;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Metrics are per process, so these run alone: no other test's host adds to the counters.
/// </summary>
[CollectionDefinition(nameof(Telemetry), DisableParallelization = true)]
public sealed class Telemetry;

/// <summary>Traces, metrics and logs of the standalone host, through the in-memory exporter.</summary>
[Collection(nameof(Telemetry))]
public class TelemetryTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ATraceparentOnTheEventLeadsThroughEveryHopDownToTheTwilioAndSendGridCalls()
    {
        var spans = new List<Activity>();
        await using var host = await StandaloneHost.StartAsync(services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        var traceId = ActivityTraceId.CreateRandom();
        var upstream = ActivitySpanId.CreateRandom();
        var tracking = Tracking("T-1", "S-1", Now, "IN_TRANSIT", Promise.AddDays(2));
        tracking["traceparent"] = $"00-{traceId}-{upstream}-01";

        await host.AcceptAsync(OrderPlaced("T-1", Now.AddHours(-2), Promise), ShipmentCreated("T-1", "S-1", Now.AddHours(-1), Promise), tracking);
        await host.DrainAsync();

        host.Twilio.Messages.ShouldHaveSingleItem();
        List<Activity> trace;
        lock (spans)
        {
            trace = spans.Where(s => s.TraceId == traceId).ToList();
        }

        Activity One(string name) => trace.Where(s => s.DisplayName == name).ShouldHaveSingleItem(name);
        bool Under(Activity span, Activity ancestor)
        {
            for (var parent = span.ParentSpanId; parent != default; parent = trace.FirstOrDefault(s => s.SpanId == parent)?.ParentSpanId ?? default)
            {
                if (parent == ancestor.SpanId)
                {
                    return true;
                }
            }

            return false;
        }

        var consume = One("shipments process");
        consume.Kind.ShouldBe(ActivityKind.Consumer);
        consume.ParentSpanId.ShouldBe(upstream);
        consume.GetTagItem("messaging.destination.name").ShouldBe("shipments");
        consume.GetTagItem("messaging.message.id").ShouldBe(tracking["id"]!.GetValue<string>());
        consume.GetTagItem("proactive.order_id").ShouldBe("T-1");

        var rules = One("rules evaluate");
        Under(rules, consume).ShouldBeTrue();
        rules.GetTagItem("proactive.rule").ShouldBe("ETA_SLIP");
        rules.GetTagItem("proactive.episode.change").ShouldBe("Detected");

        var publish = One("notices publish");
        publish.Kind.ShouldBe(ActivityKind.Producer);
        var process = One("notices process");
        process.Kind.ShouldBe(ActivityKind.Consumer);
        publish.ParentSpanId.ShouldBe(rules.SpanId, "the relay publishes later, from the context the outbox row carries");
        process.ParentSpanId.ShouldBe(publish.SpanId);
        One("notice decide").GetTagItem("proactive.decision").ShouldBe("sms=pending email=pending");
        trace.Count(s => s.DisplayName == "notice render").ShouldBe(2);

        var sends = trace.Where(s => s.DisplayName == "notice send").ToList();
        sends.Select(s => s.GetTagItem("proactive.channel")).Order().ShouldBe(["email", "sms"]);
        var http = trace.Where(s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string).ToList();
        http.Any(s => ((string)s.GetTagItem("url.full")!).EndsWith("/Messages.json", StringComparison.Ordinal) && sends.Any(p => Under(s, p))).ShouldBeTrue("Twilio call under a send");
        http.Any(s => ((string)s.GetTagItem("url.full")!).EndsWith("/v3/mail/send", StringComparison.Ordinal) && sends.Any(p => Under(s, p))).ShouldBeTrue("SendGrid call under a send");
        sends.All(s => Under(s, process)).ShouldBeTrue();
        trace.ShouldContain(s => s.DisplayName.StartsWith("db ", StringComparison.Ordinal) && s.Kind == ActivityKind.Client);
    }

    [Fact]
    public async Task TheMetricsCountAKnownScenario()
    {
        var exported = new List<Metric>();
        await using var host = await StandaloneHost.StartAsync(services: s => s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported)));
        host.Twilio.ReplyError(500, 20500, "Internal Server Error");
        var tracking = Tracking("M-1", "S-1", Now, "IN_TRANSIT", Promise.AddDays(2));
        var refused = OrderPlaced("M-2", Now, Promise);
        refused["data"]!["promisedBy"] = "not a time";

        await host.AcceptAsync(OrderPlaced("M-1", Now.AddHours(-2), Promise), ShipmentCreated("M-1", "S-1", Now.AddHours(-1), Promise), tracking);
        (await host.PostAsync("shipments", tracking)).Dispose();
        (await host.PostAsync("orders", refused)).Dispose();
        var sweep = host.Services.GetRequiredService<Tracker.Timers.DueTimerSweep>();
        await sweep.RefreshQueueStatsAsync(TestContext.Current.CancellationToken);
        Gauge(Collect(host, exported), "proactive.tracker.outbox.pending").ShouldBe(1);

        await host.DrainAsync();
        await sweep.RefreshQueueStatsAsync(TestContext.Current.CancellationToken);
        (await host.Client.PostAsync("/v1/customers/C-99/preferences:opt-out", JsonContent.Create(new { channel = "EMAIL" }), TestContext.Current.CancellationToken)).Dispose();

        // The SMS failed once: it is due again within 30 s. A minute later, before any retry, it is overdue.
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.Services.GetRequiredService<Notifier.Dispatch.NoticeDispatcher>().RefreshQueueStatsAsync(TestContext.Current.CancellationToken);
        var overdue = Collect(host, exported);
        Gauge(overdue, "proactive.notifier.notices.due").ShouldBe(1);
        Gauge(overdue, "proactive.notifier.notices.oldest_due_age").ShouldBeInRange(30, 45);

        await host.DrainAsync();
        await host.Services.GetRequiredService<Notifier.Dispatch.NoticeDispatcher>().RefreshQueueStatsAsync(TestContext.Current.CancellationToken);
        var metrics = Collect(host, exported);

        Sum(metrics, "proactive.tracker.events", ("event.type", "proactive.order.placed.v1"), ("outcome", "accepted")).ShouldBe(1);
        Sum(metrics, "proactive.tracker.events", ("event.type", "proactive.shipment.tracking.v1"), ("outcome", "accepted")).ShouldBe(1);
        Sum(metrics, "proactive.tracker.events", ("event.type", "proactive.shipment.tracking.v1"), ("outcome", "duplicate")).ShouldBe(1);
        Sum(metrics, "proactive.tracker.events", ("event.type", "proactive.order.placed.v1"), ("outcome", "refused")).ShouldBe(1);
        Sum(metrics, "proactive.tracker.episodes.opened", ("delay.reason", "ETA_SLIP")).ShouldBe(1);
        Sum(metrics, "proactive.notifier.notices", ("channel", "sms"), ("delay.reason", "ETA_SLIP"), ("outcome", "sent")).ShouldBe(1);
        Sum(metrics, "proactive.notifier.notices", ("channel", "email"), ("outcome", "sent")).ShouldBe(1);
        Sum(metrics, "proactive.notifier.provider.errors", ("provider", "twilio"), ("code", "20500")).ShouldBe(1);
        Sum(metrics, "proactive.notifier.opt_outs", ("channel", "email"), ("source", "api")).ShouldBe(1);
        Gauge(metrics, "proactive.notifier.notices.due").ShouldBe(0);
        Gauge(metrics, "proactive.tracker.outbox.pending").ShouldBe(0);
        Gauge(metrics, "proactive.tracker.timers.due").ShouldBe(0);
        Gauge(metrics, "proactive.notifier.circuit.state", ("provider", "twilio")).ShouldBe(0);

        // Promised 2026-11-26 12:00Z, the email went at 2026-11-24 01:00Z: 59 h of warning.
        var (count, sum) = Histogram(metrics, "proactive.notifier.warning_lead_time", ("channel", "email"));
        (count, sum).ShouldBe((1, 59));
        Histogram(metrics, "proactive.notifier.event_to_send", ("channel", "sms")).Count.ShouldBe(1);

        var names = metrics.ToDictionary(m => m.Name);
        names["proactive.notifier.event_to_send"].Unit.ShouldBe("s");
        names["proactive.notifier.warning_lead_time"].Unit.ShouldBe("h");
        names["proactive.tracker.events"].Description.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task LogLinesCarryTheTraceAndSpanIds()
    {
        var logs = new ScopeCapture();
        await using var host = await StandaloneHost.StartAsync(logs: logs);
        var traceId = ActivityTraceId.CreateRandom();
        var tracking = Tracking("L-1", "S-1", Now, "IN_TRANSIT", Promise.AddDays(2));
        tracking["traceparent"] = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

        await host.AcceptAsync(OrderPlaced("L-1", Now.AddHours(-2), Promise), tracking);

        logs.Lines.ShouldContain(l => l.Contains("episode L-1/delay-1", StringComparison.Ordinal) && l.Contains($"TraceId:{traceId}", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLoggerFactoryMasksContactDetailsWhateverTheCallSitePasses()
    {
        var logs = new ScopeCapture();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(logs)));
        var logger = factory.CreateLogger("test");

#pragma warning disable CA1848, CA2254 // A careless call site is the point of this test.
        logger.LogWarning(new InvalidOperationException($"bounced: {KoreanEmail}"), "Sending to {Phone} and {Email} failed", KoreanPhone, EnglishEmail);
#pragma warning restore CA1848, CA2254

        var all = string.Join('\n', logs.Lines);
        all.ShouldContain("Sending to [phone] and [email] failed");
        all.ShouldNotContain(KoreanPhone);
        all.ShouldNotContain(EnglishEmail);
        all.ShouldNotContain(KoreanEmail);
    }

    [Fact]
    public void AScopeIsMaskedWhenALineInsideItIsWrittenAndNotFormattedBefore()
    {
        var logs = new ScopeCapture();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(logs)));
        var logger = factory.CreateLogger("test");
        var scope = new CountingScope(("Customer", KoreanEmail), ("Path", $"/v1/customers/{KoreanPhone}"));

        using (logger.BeginScope(scope))
        {
            scope.Reads.ShouldBe(0, "nothing logged yet: the scope is not formatted");
#pragma warning disable CA1848 // A plain call site is the point of this test.
            logger.LogInformation("inside");
            logger.LogInformation("inside again");
#pragma warning restore CA1848
        }

        var lines = logs.Lines.ToArray();
        lines.Length.ShouldBe(2);
        lines.ShouldAllBe(l => l.Contains("Customer:[email]", StringComparison.Ordinal) && l.Contains("Path:/v1/customers/[phone]", StringComparison.Ordinal));
        string.Join('\n', lines).ShouldNotContain(KoreanEmail);
        string.Join('\n', lines).ShouldNotContain(KoreanPhone);
        scope.Reads.ShouldBe(1, "masked once, when the first line inside it was written");
    }

    /// <summary>A scope's state that counts how often it is read (enumerated or formatted).</summary>
    private sealed class CountingScope(params (string Key, string Value)[] pairs) : IEnumerable<KeyValuePair<string, object?>>
    {
        private int reads;

        public int Reads => reads;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            Interlocked.Increment(ref reads);
            return pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", pairs.Select(p => $"{p.Key}:{p.Value}"));
    }

    internal static List<Metric> Collect(StandaloneHost host, List<Metric> exported)
    {
        exported.Clear();
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        return [.. exported];
    }

    private static IEnumerable<MetricPoint> Points(List<Metric> metrics, string name, (string Key, string Value)[] tags)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value;
                }

                if (tags.All(t => pointTags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
                {
                    yield return point;
                }
            }
        }
    }

    internal static long Sum(List<Metric> metrics, string name, params (string Key, string Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetSumLong());

    private static double Gauge(List<Metric> metrics, string name, params (string Key, string Value)[] tags)
    {
        var point = Points(metrics, name, tags).ShouldHaveSingleItem(name);
        return metrics.Single(m => m.Name == name).MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetGaugeLastValueDouble();
    }

    private static (long Count, double Sum) Histogram(List<Metric> metrics, string name, params (string Key, string Value)[] tags)
    {
        var point = Points(metrics, name, tags).ShouldHaveSingleItem(name);
        return (point.GetHistogramCount(), point.GetHistogramSum());
    }

    /// <summary>Log lines with their scopes, as a JSON console would print them.</summary>
    private sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? scopes;

        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapture sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => sink.scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new System.Text.StringBuilder(formatter(state, exception));
                sink.scopes?.ForEachScope((scope, b) => b.Append(" | ").Append(scope is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? string.Join(", ", pairs.Select(p => $"{p.Key}:{p.Value}"))
                    : scope?.ToString()), line);
                line.Append(' ').Append(exception);
                sink.Lines.Enqueue(line.ToString());
            }
        }
    }
}
