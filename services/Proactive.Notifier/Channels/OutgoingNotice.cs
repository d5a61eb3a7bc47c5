namespace Proactive.Notifier.Channels;

/// <summary>What a sender needs to deliver one notice.</summary>
public sealed record OutgoingNotice(
    string NoticeId,
    string OrderId,
    Channel Channel,
    string Recipient,
    string? RecipientName,
    string Locale,
    string? Subject,
    string Text,
    string? Html);
