namespace Proactive.Notifier.Preferences;

/// <summary>The customer turned a channel off: when, and through what (the API, a provider's STOP).</summary>
public sealed record OptOut(DateTimeOffset At, string Source);

/// <summary>Start and end of the nightly window without SMS, on the customer's clock ("21:00", "08:00").</summary>
public sealed record QuietWindow(string Start, string End);

/// <summary>
/// What the customer told us directly, over what the order events say. Every field is optional:
/// unset means "as the order says" (channels, language, time zone) or "the default" (quiet hours).
/// </summary>
public sealed record CustomerPreferences(
    string CustomerId,
    IReadOnlyList<Channel>? Channels = null,
    string? Locale = null,
    string? TimeZone = null,
    QuietWindow? QuietHours = null,
    OptOut? SmsOptOut = null,
    OptOut? EmailOptOut = null,
    DateTimeOffset? UpdatedAt = null)
{
    public static CustomerPreferences None(string customerId) => new(customerId);

    public OptOut? OptOutOf(Channel channel) => channel == Channel.Sms ? SmsOptOut : EmailOptOut;

    public CustomerPreferences WithOptOut(Channel channel, OptOut? optOut) =>
        channel == Channel.Sms ? this with { SmsOptOut = optOut } : this with { EmailOptOut = optOut };

    /// <summary>The contact from the order, with the customer's own choices laid over it.</summary>
    public CustomerContact ApplyTo(CustomerContact contact) => contact with
    {
        Channels = Channels is { Count: > 0 } channels ? channels : contact.Channels,
        Locale = Locale ?? contact.Locale,
        TimeZone = TimeZone ?? contact.TimeZone,
    };

    /// <summary>The news as told to this customer: its contact with their own choices laid over it.</summary>
    public EpisodeNews ApplyTo(EpisodeNews news) => news with { Customer = ApplyTo(news.Customer) };

    /// <summary>The quiet hours that apply to this customer.</summary>
    public QuietWindow QuietWindow(NoticePolicyOptions options) =>
        QuietHours ?? new QuietWindow(options.QuietHoursStart, options.QuietHoursEnd);
}
