using System.Text.Json;
using System.Text.Json.Serialization;
using Proactive.Contracts;

namespace Proactive.Notifier;

/// <summary>A contract enum in stored JSON by its proto name ("ETA_SLIP"); a name this build does not know reads as UNSPECIFIED.</summary>
public sealed class WireNameJsonConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WireName.Parse<T>(reader.GetString());

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WireName.Of(value));
}
