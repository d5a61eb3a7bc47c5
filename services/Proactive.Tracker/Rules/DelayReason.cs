namespace Proactive.Tracker.Rules;

public enum DelayReason
{
    EtaSlip,
    CarrierException,
    DeliveryAttempted,
    NotShipped,
    MissedPromise,
    ReturnedToSender,
    Stalled,

    /// <summary>The last call: the promise is near, the parcel is not out for delivery, nothing else was said.</summary>
    PromiseAtRisk,

    /// <summary>The delivery-time model puts the chance of missing the promise at or above its threshold.</summary>
    PredictedLate,
}
