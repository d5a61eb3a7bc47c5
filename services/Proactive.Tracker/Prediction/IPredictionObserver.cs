namespace Proactive.Tracker.Prediction;

/// <summary>
/// Sees each assessment Tracker makes of an open order with the model (the replay's threshold sweep
/// listens here). Called inside the order's transaction, synchronously: an observer reads the model
/// at once and keeps nothing of it.
/// </summary>
public interface IPredictionObserver
{
    /// <param name="orderId">The order assessed.</param>
    /// <param name="at">The instant of the assessment.</param>
    /// <param name="facts">What the model knows of the order.</param>
    /// <param name="model">The model as of <paramref name="at"/>; answer other thresholds with <see cref="DeliveryModel.NextCrossing(OrderFacts, DateTimeOffset, DateTimeOffset, double)"/>.</param>
    /// <param name="forecast">The assessment at the configured threshold.</param>
    void Assessed(string orderId, DateTimeOffset at, OrderFacts facts, DeliveryModel model, LatenessForecast forecast);

    /// <summary>The order was delivered at <paramref name="at"/> (or cancelled: <paramref name="delivered"/> false).</summary>
    void Closed(string orderId, DateTimeOffset at, bool delivered);
}
