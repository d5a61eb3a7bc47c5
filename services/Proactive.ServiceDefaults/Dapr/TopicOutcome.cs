namespace Proactive.ServiceDefaults.Dapr;

public enum TopicStatus
{
    Success,
    Retry,
    Drop,

    /// <summary>The handler could not process this event (its own failure, not the store's): the callback holds it.</summary>
    Failed,
}

/// <summary>What a handler decided about one event, and why when it is not a success.</summary>
public sealed record TopicOutcome(TopicStatus Status, string? Reason = null, Exception? Failure = null)
{
    public static readonly TopicOutcome Success = new(TopicStatus.Success);

    public static TopicOutcome Drop(string reason) => new(TopicStatus.Drop, reason);

    public static TopicOutcome Retry(string reason) => new(TopicStatus.Retry, reason);

    /// <summary>Not processed because the store is unavailable or the service is stopping: delivered again.</summary>
    public static TopicOutcome Retry(Exception cause) => new(TopicStatus.Retry, cause.GetType().Name, cause);

    /// <summary>An item failure of this event alone, answered by a bulk handler instead of thrown (see <see cref="ITopicHandler.HandleManyAsync"/>).</summary>
    public static TopicOutcome Failed(Exception failure) => new(TopicStatus.Failed, failure.GetType().Name, failure);
}
