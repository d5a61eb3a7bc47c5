using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Rules;

/// <summary>The verdict on one order at one instant.</summary>
public sealed record DelayAssessment(
    OrderState State,
    DelayReason? Reason = null,
    CarrierExceptionCode? ExceptionCode = null,
    DateTimeOffset? EstimatedDeliveryAt = null,
    string? Carrier = null,
    DateTimeOffset? NextCheckAt = null)
{
    /// <summary>The customer must do something (fix the address) for the parcel to arrive.</summary>
    public bool ActionRequired => ExceptionCode == CarrierExceptionCode.AddressIssue;

    /// <summary>The CX team should reach out as well (the parcel is damaged or lost).</summary>
    public bool Escalate => ExceptionCode is CarrierExceptionCode.Damaged or CarrierExceptionCode.Lost;
}
