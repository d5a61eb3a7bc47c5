namespace Proactive.Tracker.Rules;

/// <summary>
/// The delivery-time model's word on an open order, as the rules take it.
/// </summary>
/// <param name="AtRisk">The order was found at risk (it stays so until delivered or cancelled).</param>
/// <param name="Probability">P(late) when at risk, else the latest assessment's; null when the model cannot say.</param>
/// <param name="EstimatedDeliveryAt">The model's delivery estimate when it was found at risk (after the promise), if any.</param>
/// <param name="NextAssessmentAt">When the model wants to look again.</param>
/// <param name="ShipByYields">
/// The model speaks for the order and its customers hear it: a missed ship-by deadline is then an
/// input to the model, not news of its own (a padded promise absorbs most late hand-offs).
/// </param>
/// <param name="RecordOnly">The warning is for the record only (prediction mode internal, or off
/// since): it ranks below the last call, which the customer must still hear.</param>
public sealed record PredictedLateness(
    bool AtRisk,
    double? Probability,
    DateTimeOffset? EstimatedDeliveryAt = null,
    DateTimeOffset? NextAssessmentAt = null,
    bool ShipByYields = false,
    bool RecordOnly = false);
