namespace Proactive.Notifier;

/// <summary>
/// What the check just before sending makes of a claimed notice (see
/// <see cref="NoticeLifecycle.CheckBeforeSending"/>): the change, and whether it is withdrawn
/// because the customer opted out of its channel (an SMS then falls back to email).
/// </summary>
public sealed record SendCheck(NoticeChange Change, bool OptedOut = false);
