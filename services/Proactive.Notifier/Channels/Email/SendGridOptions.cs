using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Channels.Email;

/// <summary>Configuration section "SendGrid".</summary>
public sealed class SendGridOptions : ICheckedOptions
{
    public const string Section = "SendGrid";

    public string? ApiKey { get; set; }

    public string? From { get; set; }

    public string? FromName { get; set; }

    public string Host { get; set; } = "https://api.sendgrid.com";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Mail-send requests per second from this sender (0 for no limit).</summary>
    public double MessagesPerSecond { get; set; } = 50;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(From);

    /// <summary>A key without a sender would silently send to the local outbox instead: refused.</summary>
    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .Require(string.IsNullOrWhiteSpace(ApiKey) || !string.IsNullOrWhiteSpace(From), nameof(From), "must be set with SendGrid:ApiKey")
        .HttpUrl(Host)
        .Positive(Timeout)
        .RateOrOff(MessagesPerSecond);
}
