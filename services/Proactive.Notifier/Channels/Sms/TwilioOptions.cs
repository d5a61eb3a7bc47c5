using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Channels.Sms;

/// <summary>Configuration section "Twilio".</summary>
public sealed class TwilioOptions : ICheckedOptions
{
    public const string Section = "Twilio";

    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary>The sending number (E.164) or alphanumeric sender id; or set <see cref="MessagingServiceSid"/>.</summary>
    public string? From { get; set; }

    public string? MessagingServiceSid { get; set; }

    public string BaseUrl { get; set; } = "https://api.twilio.com";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Message segments per second handed to Twilio from this sender (a two-segment SMS counts
    /// twice, as Twilio counts its MPS). Twilio's default throughput is 1
    /// segment/s for a US long code, 3 for toll-free, 10 for numbers outside +1, 100+ for short codes.
    /// </summary>
    public double MessagesPerSecond { get; set; } = 1;

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken)
        && (!string.IsNullOrWhiteSpace(From) || !string.IsNullOrWhiteSpace(MessagingServiceSid));

    /// <summary>Credentials given in part would silently send to the local outbox instead: refused.</summary>
    public IEnumerable<string> Problems()
    {
        var credentials = !string.IsNullOrWhiteSpace(AccountSid) || !string.IsNullOrWhiteSpace(AuthToken);
        return new OptionProblems(Section)
            .Require(!credentials || !string.IsNullOrWhiteSpace(AccountSid), nameof(AccountSid), "must be set with AuthToken")
            .Require(!credentials || !string.IsNullOrWhiteSpace(AuthToken), nameof(AuthToken), "must be set with AccountSid")
            .Require(!credentials || !string.IsNullOrWhiteSpace(From) || !string.IsNullOrWhiteSpace(MessagingServiceSid), nameof(From), "or Twilio:MessagingServiceSid must be set with the credentials")
            .HttpUrl(BaseUrl)
            .Positive(Timeout)
            .RateOrOff(MessagesPerSecond);
    }
}
