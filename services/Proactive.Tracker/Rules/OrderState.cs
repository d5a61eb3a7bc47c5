namespace Proactive.Tracker.Rules;

public enum OrderState
{
    /// <summary>Events for the order arrived, but not the order itself: nothing to judge yet.</summary>
    AwaitingOrder,
    OnTrack,
    Late,
    Delivered,
    Cancelled,
}
