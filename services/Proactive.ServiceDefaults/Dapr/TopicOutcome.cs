namespace Proactive.ServiceDefaults.Dapr;

public enum TopicStatus
{
    Success,
    Retry,
    Drop,
}

/// <summary>What a handler decided about one event, and why when it is not a success.</summary>
public sealed record TopicOutcome(TopicStatus Status, string? Reason = null)
{
    public static readonly TopicOutcome Success = new(TopicStatus.Success);

    public static TopicOutcome Drop(string reason) => new(TopicStatus.Drop, reason);

    public static TopicOutcome Retry(string reason) => new(TopicStatus.Retry, reason);
}
