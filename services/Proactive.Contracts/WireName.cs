using System.Globalization;
using Google.Protobuf.Reflection;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.Contracts;

/// <summary>
/// The name a contract enum value has in the .proto ("ETA_SLIP", "RECOVERED"): what its JSON
/// carries, what the APIs show, what the stores keep, what metrics and logs say.
/// </summary>
public static class WireName
{
    /// <summary>The proto name of <paramref name="value"/>; a number the descriptor does not know is written as the number.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum =>
        Names<T>.ByValue.TryGetValue(value, out var name) ? name : Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    /// <summary>The value named <paramref name="name"/> in the .proto, or the enum's zero (UNSPECIFIED) for a name it does not know.</summary>
    public static T Parse<T>(string? name)
        where T : struct, Enum =>
        name is not null && Names<T>.ByName.TryGetValue(name, out var value) ? value : default;

    private static class Names<T>
        where T : struct, Enum
    {
        private static readonly EnumDescriptor Descriptor = Contract.Enums().Single(e => e.ClrType == typeof(T));

        public static readonly Dictionary<T, string> ByValue = Descriptor.Values.ToDictionary(v => (T)Enum.ToObject(typeof(T), v.Number), v => v.Name);

        public static readonly Dictionary<string, T> ByName = Descriptor.Values.ToDictionary(v => v.Name, v => (T)Enum.ToObject(typeof(T), v.Number), StringComparer.Ordinal);
    }

    private static class Contract
    {
        public static IEnumerable<EnumDescriptor> Enums() =>
            new[] { TrackerReflection.Descriptor, Events.V1.EventsReflection.Descriptor }
                .SelectMany(file => file.EnumTypes.Concat(file.MessageTypes.SelectMany(Nested)));

        private static IEnumerable<EnumDescriptor> Nested(MessageDescriptor message) =>
            message.EnumTypes.Concat(message.NestedTypes.SelectMany(Nested));
    }
}
