namespace Proactive.Notifier.Channels;

/// <summary>Delivers notices on one channel through one provider.</summary>
public interface INoticeSender
{
    Channel Channel { get; }

    /// <summary>Provider name for the notices API and logs: "twilio", "sendgrid", "local-outbox".</summary>
    string Provider { get; }

    /// <summary>Most messages per second this sender may be given (its provider's throughput); 0 for no limit.</summary>
    double MessagesPerSecond { get; }

    Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken);
}
