namespace Proactive.Notifier;

public sealed record CustomerContact(
    string CustomerId,
    string? Name,
    string? Phone,
    string? Email,
    string Locale,
    string? TimeZone,
    IReadOnlyList<Channel> Channels)
{
    public string? AddressFor(Channel channel) => channel == Channel.Sms ? Phone : Email;
}
