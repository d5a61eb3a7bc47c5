using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Proactive.Tracker.Events;

/// <summary>
/// An event's data as Tracker stores it (the contract's JSON): the text it arrived in when the
/// reader remembered it (<see cref="Remember"/>), else formatted from the message, once per event.
/// Every reader of the stored text parses it with protobuf's JSON parser, which reads the same
/// message from either. The intake prepares it as it reads a delivery (<see cref="EventIntake"/>),
/// on the threads that read deliveries side by side, so the one transaction that stores a batch
/// only binds the text.
/// </summary>
public static class StoredPayload
{
    /// <summary>
    /// Longer data is formatted even when it could be stored as it came: spacing and escapes do not
    /// count towards the fields' limits (<see cref="ContractLimits"/>), so its text is not bounded by them.
    /// </summary>
    public const int MaxAsArrived = 8 * 1024;

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly ConditionalWeakTable<IMessage, string> Texts = [];

    public static string Of(InboundEvent e) => Texts.GetValue(e.Data, data => Formatter.Format(data));

    /// <summary>
    /// Stores <paramref name="data"/> as <paramref name="json"/>, the text it was read from — for the
    /// reader to call only when protobuf's JSON parser reads exactly <paramref name="data"/> from it and
    /// it holds nothing else (no unknown field, no field given twice: nothing unchecked is stored).
    /// </summary>
    public static void Remember(IMessage data, string json)
    {
        if (json.Length <= MaxAsArrived)
        {
            Texts.AddOrUpdate(data, json);
        }
    }
}
