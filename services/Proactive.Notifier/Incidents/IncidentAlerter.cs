using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// Sends incidents' alerts from their table, as the dispatcher sends notices: claims due rows with a
/// lease (replicas skip what another holds), sends outside the transaction, then settles the claim
/// — sent; pending again with backoff after a transient failure (5xx, timeout), until
/// <see cref="IncidentOptions.AlertMaxAttempts"/>; failed after a permanent one (4xx). The email
/// goes through the registered email sender (SendGrid when configured, else the local outbox).
/// </summary>
public sealed partial class IncidentAlerter(
    NoticeStore store,
    ChatWebhookSender webhook,
    IEnumerable<INoticeSender> senders,
    IOptions<IncidentOptions> options,
    IncidentMetrics metrics,
    IncidentAlertSignal signal,
    TimeProvider time,
    ILogger<IncidentAlerter> logger)
    : BackgroundLoop(time, logger, signal)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RetryMax = TimeSpan.FromMinutes(30);

    private const int Batch = 20;

    protected override bool Enabled => options.Value.Enabled && options.Value.RunBackgroundWork;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        while (await SendDueAsync(cancellationToken) > 0)
        {
        }

        return await store.ReadAsync(async r => ServiceDefaults.Storage.UnixTime.FromMs(await r.Incidents.NextAlertDueAsync()), cancellationToken);
    }

    /// <summary>Sends the alerts due now; returns how many were attempted.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var claimed = await store.InTransactionAsync(s => s.Incidents.ClaimDueAsync(Time.GetUtcNow(), Lease, Batch), cancellationToken);
        foreach (var alert in claimed)
        {
            await SendAsync(alert, cancellationToken);
        }

        return claimed.Count;
    }

    private async Task SendAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var (incident, orders) = await store.ReadAsync(
            async r => (await r.Incidents.FindAsync(alert.IncidentId), await r.Incidents.OrdersAsync(alert.IncidentId)), cancellationToken);
        (bool Sent, bool Transient, string? Error) result = incident is null
            ? (false, false, "the incident is gone")
            : alert.Channel switch
            {
                IncidentAlert.Webhook => await webhook.SendAsync(IncidentText.Text(incident, orders, o.Window), cancellationToken),
                IncidentAlert.Email => await MailAsync(incident, IncidentText.Text(incident, orders, o.Window), cancellationToken),
                _ => (false, false, $"unknown channel {alert.Channel}"),
            };

        var now = Time.GetUtcNow();
        var (status, nextAt, outcome) = result switch
        {
            { Sent: true } => (IncidentAlert.Sent, (DateTimeOffset?)null, "sent"),
            { Transient: true } when alert.Attempts < o.AlertMaxAttempts => (IncidentAlert.Pending, now + Backoff(alert.Attempts), "retry"),
            _ => (IncidentAlert.Failed, null, "failed"),
        };
        if (await store.InTransactionAsync(s => s.Incidents.SettleAsync(alert, status, now, nextAt, result.Error), cancellationToken))
        {
            metrics.Alert(alert.Channel, outcome);
            LogAlert(logger, alert.IncidentId, alert.Channel, alert.Attempts, outcome, result.Error ?? "");
        }
    }

    private async Task<(bool Sent, bool Transient, string? Error)> MailAsync(Incident incident, string text, CancellationToken cancellationToken)
    {
        var email = senders.FirstOrDefault(s => s.Channel == Channel.Email);
        if (email is null || options.Value.AlertEmail is not { Length: > 0 } to)
        {
            return (false, false, "no email sender or Proactive:Incidents:AlertEmail");
        }

        var result = await email.SendAsync(
            new OutgoingNotice($"incident/{incident.IncidentId}", "", Channel.Email, to.Trim(), "CX team", "en", IncidentText.Subject(incident), text, IncidentText.Html(text)),
            cancellationToken);
        return result.Outcome switch
        {
            SendOutcome.Sent => (true, false, null),
            SendOutcome.Transient => (false, true, $"{email.Provider} {result.ProviderCode}".Trim()),
            _ => (false, false, $"{email.Provider} {result.ProviderCode}".Trim()),
        };
    }

    /// <summary>Doubles from <see cref="RetryBase"/> per attempt, capped at <see cref="RetryMax"/>.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, RetryBase.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Incident {IncidentId} alert by {Channel}, attempt {Attempt}: {Outcome} {Error}")]
    private static partial void LogAlert(ILogger logger, string incidentId, string channel, int attempt, string outcome, string error);
}
