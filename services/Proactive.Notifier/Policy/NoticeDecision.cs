namespace Proactive.Notifier.Policy;

/// <summary>
/// One decision for one channel: tell the customer (as <see cref="Kind"/>, at <see cref="SendAt"/>)
/// or not, and why not, or why later.
/// </summary>
public sealed record NoticeDecision(Channel Channel, NoticeKind Kind, bool Send, string? Why, DateTimeOffset? SendAt = null)
{
    public static NoticeDecision Tell(Channel channel, NoticeKind kind) => new(channel, kind, true, null);

    public static NoticeDecision Suppress(Channel channel, NoticeKind kind, string why) => new(channel, kind, false, why);
}
