namespace Proactive.Notifier.Replies;

/// <summary>
/// A message a customer sent us that was not a keyword: their own words, for the CX team, linked
/// to the customer, and to the order and notice it answers (the latest SMS sent to that number)
/// when we know them.
/// </summary>
public sealed record CustomerReply(
    string ReplyId,
    string Provider,
    string ProviderMessageId,
    Channel Channel,
    string Sender,
    string? CustomerId,
    string? OrderId,
    string? NoticeId,
    string Body,
    DateTimeOffset ReceivedAt);

/// <summary>Where a page of replies ends: the next page starts after this reply.</summary>
public readonly record struct ReplyCursor(DateTimeOffset ReceivedAt, string ReplyId);
