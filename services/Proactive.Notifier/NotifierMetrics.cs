using System.Diagnostics.Metrics;

namespace Proactive.Notifier;

/// <summary>
/// Notifier's meter, "Proactive.Notifier": what was decided and sent, how fast and how early,
/// what the providers answered, who opted out, and how far behind the dispatcher is.
/// </summary>
public sealed class NotifierMetrics
{
    public const string MeterName = "Proactive.Notifier";

    private static readonly double[] SecondsBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 14400, 43200];
    private static readonly double[] HoursBuckets = [0, 1, 2, 4, 8, 12, 24, 36, 48, 72, 120, 168];

    private readonly Counter<long> notices;
    private readonly Histogram<double> eventToSend;
    private readonly Histogram<double> leadTime;
    private readonly Counter<long> providerErrors;
    private readonly Counter<long> optOuts;
    private readonly Counter<long> atRisk;
    private readonly Counter<long> webhookRequests;
    private readonly Counter<long> receipts;
    private readonly Counter<long> replies;
    private readonly Counter<long> claims;
    private (long Due, TimeSpan? OldestAge) queue;
    private Func<IEnumerable<(string Provider, int State)>> circuits = () => [];

    public NotifierMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        notices = meter.CreateCounter<long>(
            "proactive.notifier.notices", "{notice}", "Notice outcomes by channel, delay reason and outcome (sent, local (the local outbox file, nobody told), deferred, suppressed, failed).");
        eventToSend = meter.CreateHistogram(
            "proactive.notifier.event_to_send", "s", "From the delay being detected to the provider accepting the notice.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        leadTime = meter.CreateHistogram(
            "proactive.notifier.warning_lead_time", "h", "How long before the promised delivery the customer was warned (0 when already past it).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HoursBuckets });
        providerErrors = meter.CreateCounter<long>(
            "proactive.notifier.provider.errors", "{error}", "Failed provider calls, by provider and code (Twilio error code, SendGrid HTTP status).");
        optOuts = meter.CreateCounter<long>(
            "proactive.notifier.opt_outs", "{opt_out}", "Customers opting out of a channel, by channel and source (api, provider).");
        atRisk = meter.CreateCounter<long>(
            "proactive.notifier.at_risk",
            "{notice}",
            "At-risk warnings (reason PREDICTED_LATE, first word of the episode) decided, by channel and outcome: told, record_only (prediction mode internal), suppressed.");
        webhookRequests = meter.CreateCounter<long>(
            "proactive.notifier.webhook.requests",
            "{request}",
            "Provider webhook requests by provider, endpoint and outcome (accepted, duplicate, refused, malformed, too_large, unsupported_media_type, not_configured).");
        receipts = meter.CreateCounter<long>(
            "proactive.notifier.receipts", "{receipt}", "Delivery receipts from the providers, by channel, status and error code.");
        replies = meter.CreateCounter<long>(
            "proactive.notifier.replies", "{message}", "Inbound customer messages, by kind (stop, start, help, text).");
        claims = meter.CreateCounter<long>(
            "proactive.notifier.notices.claimed",
            "{notice}",
            "Notices claimed for sending, by who claimed them: the transaction that decided them (decision) or a claim round of the dispatcher (round: retries, quiet hours ending, lease take-overs, notices given back, or no room when decided).");
        meter.CreateObservableGauge("proactive.notifier.notices.due", () => queue.Due, "{notice}", "Notices due now and not yet sent.");
        meter.CreateObservableGauge(
            "proactive.notifier.notices.oldest_due_age", () => queue.OldestAge?.TotalSeconds ?? 0, "s", "How long the oldest due notice has waited.");
        meter.CreateObservableGauge(
            "proactive.notifier.circuit.state",
            () => circuits().Select(c => new Measurement<int>(c.State, new KeyValuePair<string, object?>("provider", c.Provider))),
            "{state}",
            "Circuit breaker per provider: 0 closed, 1 half-open, 2 open.");
    }

    public void Notice(Channel channel, Contracts.Tracker.V1.DelayReason reason, string outcome) =>
        notices.Add(1, new("channel", Name(channel)), new("delay.reason", Contracts.WireName.Of(reason)), new("outcome", outcome));

    /// <summary>A notice the provider accepted ("sent"), or the local outbox file took ("local": nobody was told).</summary>
    public void Sent(NoticeRecord notice, DateTimeOffset at, bool local = false)
    {
        Notice(notice.Channel, notice.Reason, local ? "local" : "sent");
        if (local)
        {
            // Nobody was told: no measure of how fast or how early news reaches customers.
            return;
        }

        var channel = new KeyValuePair<string, object?>("channel", Name(notice.Channel));
        // A survey waits for delivery on purpose: it is no measure of how fast news goes out.
        if (notice.Kind != NoticeKind.Survey && notice.News?.OccurredAt is { } detected && at >= detected)
        {
            eventToSend.Record((at - detected).TotalSeconds, channel);
        }

        if (notice.Kind.IsWarning() && notice.News is { } news)
        {
            leadTime.Record(Math.Max(0, (news.PromisedBy - at).TotalHours), channel);
        }
    }

    /// <summary>An at-risk warning decided: to be told, recorded only, or suppressed for another reason (opt-out, order cap).</summary>
    public void AtRisk(Channel channel, string outcome) =>
        atRisk.Add(1, new("channel", Name(channel)), new("outcome", outcome));

    public void ProviderError(string provider, string? code) =>
        providerErrors.Add(1, new("provider", provider), new("code", code ?? "none"));

    public void OptOut(Channel channel, string source) =>
        optOuts.Add(1, new("channel", Name(channel)), new("source", source));

    public void WebhookRequest(string provider, string endpoint, string outcome) =>
        webhookRequests.Add(1, new("provider", provider), new("endpoint", endpoint), new("outcome", outcome));

    public void Receipt(Channel channel, string status, string? code) =>
        receipts.Add(1, new("channel", Name(channel)), new("status", status), new("code", code ?? "none"));

    /// <summary>Notices claimed and committed, by "decision" or "round".</summary>
    public void Claimed(int count, string by)
    {
        if (count > 0)
        {
            claims.Add(count, new KeyValuePair<string, object?>("by", by));
        }
    }

    public void Reply(string kind) => replies.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Queue(long due, TimeSpan? oldestAge) => queue = (due, oldestAge);

    public void ObserveCircuits(Func<IEnumerable<(string Provider, int State)>> states) => circuits = states;

    private static string Name(Channel channel) => channel == Channel.Sms ? "sms" : "email";
}
