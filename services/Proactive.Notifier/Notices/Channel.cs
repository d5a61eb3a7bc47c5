namespace Proactive.Notifier;

public enum Channel
{
    Sms,
    Email,
}
