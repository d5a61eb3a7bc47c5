using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Proactive.Tracker.Events;

/// <summary>
/// An event's data as Tracker stores it (the contract's JSON): the JSON it arrived in when that
/// holds the contract's fields only (<see cref="InboundEvent.DataJson"/>; protobuf's JSON parser
/// reads the same message from either), else formatted from the message once per event. The
/// intake formats it as it reads a delivery (<see cref="EventIntake"/>), on the threads that read
/// deliveries side by side, so the one transaction that stores a batch only binds the text.
/// </summary>
public static class StoredPayload
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly ConditionalWeakTable<IMessage, string> Formatted = [];

    public static string Of(InboundEvent e) => e.DataJson ?? Formatted.GetValue(e.Data, data => Formatter.Format(data));
}
