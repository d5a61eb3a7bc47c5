namespace Proactive.Notifier.Receipts;

/// <summary>
/// What a provider said about a message after accepting it (Twilio's status callback, a SendGrid
/// event): <paramref name="Status"/> in the provider's own word (delivered, undelivered, bounce...),
/// <paramref name="Code"/> its error code when it gave one. <paramref name="EventKey"/> names the
/// event, so that the same event is recorded once.
/// </summary>
public sealed record DeliveryReceipt(
    string Provider,
    string EventKey,
    string? NoticeId,
    Channel Channel,
    string? ProviderMessageId,
    string Status,
    string? Code,
    string? Detail,
    DateTimeOffset? OccurredAt,
    DateTimeOffset ReceivedAt);
