using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Timeline;

/// <summary>
/// A <see cref="TimelineState"/> as one line of JSON for a TEXT column.
/// <para>
/// Written by hand with Utf8JsonWriter rather than by a source-generated serializer: the domain
/// records stay free of serialization attributes and their derived members (IsDelivered,
/// OpenShipments, …) are not stored; keys are one or two letters, absent values are left out and
/// a whole-second UTC instant is a number (Unix seconds), which keeps a typical order under 500
/// bytes. Any other instant is ISO 8601 with its offset and every tick. Enums are stored by name.
/// The customer is the contract's own message as base64 protobuf: every field of it, one added to
/// the contract later included, comes back without a change here.
/// </para>
/// <para>
/// Shape (version 1): {"v":1,"o":orderId,"n":eventCount,"k":[occurredAt,source,id],"p":placedAt,
/// "c":cancelledAt,"t":terms,"s":[shipment…]}; terms {"pb","sb","cu","u","a","sf","st","f"};
/// shipment {"id","ca","tn","s","sa","e","l","x","sl","sf","h","ks"}; a place [country,region,postalCode];
/// an instant 1795996800 or "2026-11-23T23:59:59.1234567+05:45". "ks" (added within version 1, so an
/// earlier version reads and drops it) holds the shipment's <see cref="ShipmentKeys"/>: [status,
/// estimate, location], each a key [occurredAt,source,id], null, 1 for the newest key ("k") or 0
/// for the status's; a snapshot with a shipment without it has no keys, and a late scan folds that
/// order again.
/// </para>
/// </summary>
public static class TimelineSnapshot
{
    /// <summary>
    /// Bump whenever <see cref="OrderTimeline.Apply"/> makes something else of an event, or the
    /// shape of the timeline or of this text changes: a stored snapshot of another version reads
    /// as null and the order is folded again from its events.
    /// </summary>
    public const int FormatVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Stored, never embedded in HTML: '+', '&' and non-ASCII letters need no escaping.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static string Write(TimelineState state)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var timeline = state.Timeline;
            json.WriteStartObject();
            json.WriteNumber("v", FormatVersion);
            json.WriteString("o", timeline.OrderId);
            json.WriteNumber("n", state.EventCount);
            if (state.Last is { } last)
            {
                json.WritePropertyName("k");
                KeyValue(json, last);
            }

            Instant(json, "p", timeline.PlacedAt);
            Instant(json, "c", timeline.CancelledAt);
            if (timeline.Terms is { } terms)
            {
                json.WriteStartObject("t");
                Terms(json, terms);
                json.WriteEndObject();
            }

            if (timeline.Shipments.Count > 0)
            {
                json.WriteStartArray("s");
                foreach (var shipment in timeline.Shipments)
                {
                    json.WriteStartObject();
                    Shipment(json, shipment);
                    if (state.Keys?.FirstOrDefault(k => k.ShipmentId == shipment.ShipmentId) is { } keys)
                    {
                        Keys(json, keys, state.Last);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The state <paramref name="text"/> holds; null when there is none, it is of another
    /// <see cref="FormatVersion"/>, or it cannot be read — never an exception: the caller then folds
    /// the order again from its events.</summary>
    public static TimelineState? Read(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var version)
                || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out var v)
                || v != FormatVersion)
            {
                return null;
            }

            return ReadState(root);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever is wrong with a stored value (malformed JSON, a missing or mistyped member, a
            // bad instant or enum name), the events are still there to fold.
            return null;
        }
    }

    private static TimelineState? ReadState(JsonElement root)
    {
        var count = root.GetProperty("n").GetInt32();
        TimelineKey? last = null;
        if (root.TryGetProperty("k", out var k))
        {
            last = KeyOf(k);
        }

        if (count < 0 || (count == 0) != (last is null))
        {
            return null;
        }

        var shipments = new List<ShipmentState>();
        List<ShipmentKeys>? keys = [];
        if (root.TryGetProperty("s", out var s))
        {
            foreach (var element in s.EnumerateArray())
            {
                var shipment = ReadShipment(element);
                if (shipments.Count > 0 && string.CompareOrdinal(shipments[^1].ShipmentId, shipment.ShipmentId) >= 0)
                {
                    return null; // a fold lists shipments by id, once each
                }

                shipments.Add(shipment);
                if (!element.TryGetProperty("ks", out var ks))
                {
                    keys = null; // written by an earlier version
                }
                else if (keys is not null)
                {
                    var read = ReadKeys(shipment.ShipmentId, ks, last);
                    if (new[] { read.Status, read.Estimate, read.Location }.Any(key => key is { } k && (last is not { } l || k > l))
                        || !Agree(shipment, read))
                    {
                        return null; // no event folded in is newer than the newest one, and the keys fit the fields
                    }

                    keys.Add(read);
                }
            }
        }

        var timeline = new OrderTimeline(
            Required(root.GetProperty("o")),
            root.TryGetProperty("t", out var t) ? ReadTerms(t) : null,
            OptionalInstant(root, "c"),
            shipments,
            OptionalInstant(root, "p"));
        return new TimelineState(timeline, last, count, keys);
    }

    /// <summary>
    /// What always holds of a shipment's fields and its keys as the fold makes them: a status key
    /// exactly when a tracking event was folded (its time the status time; without one the status
    /// is Created, with no exception), an estimate key exactly when there is an estimate, a
    /// location key exactly when there is a location. Keys that do not fit (a snapshot edited by
    /// hand) would make a late scan keep or overwrite the wrong value: the order is folded again.
    /// </summary>
    private static bool Agree(ShipmentState shipment, ShipmentKeys keys) =>
        (keys.Status is { } status
            ? shipment.StatusAt == status.OccurredAt
            : shipment.Status == ShipmentStatus.Created && shipment.ExceptionCode is null)
        && (keys.Estimate is null) == (shipment.EstimatedDeliveryAt is null)
        && (keys.Location is null) == (shipment.Location is null);

    private static void Keys(Utf8JsonWriter json, ShipmentKeys keys, TimelineKey? last)
    {
        json.WriteStartArray("ks");
        Key(keys.Status, mayBeTheStatus: false);
        Key(keys.Estimate, mayBeTheStatus: true);
        Key(keys.Location, mayBeTheStatus: true);
        json.WriteEndArray();

        void Key(TimelineKey? key, bool mayBeTheStatus)
        {
            if (key is not { } k)
            {
                json.WriteNullValue();
            }
            else if (k == last)
            {
                json.WriteNumberValue(1);
            }
            else if (mayBeTheStatus && k == keys.Status)
            {
                json.WriteNumberValue(0);
            }
            else
            {
                KeyValue(json, k);
            }
        }
    }

    private static ShipmentKeys ReadKeys(string shipmentId, JsonElement ks, TimelineKey? last)
    {
        if (ks.GetArrayLength() != 3)
        {
            throw new FormatException($"a shipment's keys are 3, not {ks.GetArrayLength()}");
        }

        TimelineKey? status = null;
        TimelineKey? KeyAt(int i) => ks[i] switch
        {
            { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.Number } n when n.GetInt32() == 1 => last ?? throw new FormatException("a key is the newest, and there is none"),
            { ValueKind: JsonValueKind.Number } n when n.GetInt32() == 0 && i > 0 => status ?? throw new FormatException("a key is the status's, which has none"),
            var value => KeyOf(value),
        };
        status = KeyAt(0);
        return new ShipmentKeys(shipmentId, status, KeyAt(1), KeyAt(2));
    }

    private static void KeyValue(Utf8JsonWriter json, TimelineKey key)
    {
        json.WriteStartArray();
        InstantValue(json, key.OccurredAt);
        json.WriteStringValue(key.Source);
        json.WriteStringValue(key.Id);
        json.WriteEndArray();
    }

    private static TimelineKey KeyOf(JsonElement value) => value.GetArrayLength() == 3
        ? new TimelineKey(InstantOf(value[0]), Required(value[1]), Required(value[2]))
        : throw new FormatException($"a key has 3 parts, not {value.GetArrayLength()}");

    private static void Terms(Utf8JsonWriter json, OrderTerms terms)
    {
        Instant(json, "pb", terms.PromisedBy);
        Instant(json, "sb", terms.ShipBy);
        if (terms.Customer is { } customer)
        {
            json.WriteBase64String("cu", customer.ToByteArray());
        }

        Text(json, "u", terms.TrackingUrl);
        Instant(json, "a", terms.AsOf);
        Place(json, "sf", terms.ShipFrom);
        Place(json, "st", terms.ShipTo);
        Text(json, "f", terms.FulfilledBy);
    }

    private static OrderTerms ReadTerms(JsonElement t) => new(
        InstantOf(t.GetProperty("pb")),
        OptionalInstant(t, "sb"),
        t.TryGetProperty("cu", out var cu) ? Customer.Parser.ParseFrom(cu.GetBytesFromBase64()) : null!,
        OptionalText(t, "u"),
        InstantOf(t.GetProperty("a")),
        OptionalPlace(t, "sf"),
        OptionalPlace(t, "st"),
        OptionalText(t, "f"));

    private static void Shipment(Utf8JsonWriter json, ShipmentState shipment)
    {
        json.WriteString("id", shipment.ShipmentId);
        Text(json, "ca", shipment.Carrier);
        Text(json, "tn", shipment.TrackingNumber);
        json.WriteString("s", shipment.Status.ToString());
        Instant(json, "sa", shipment.StatusAt);
        Instant(json, "e", shipment.EstimatedDeliveryAt);
        Text(json, "l", shipment.Location);
        Text(json, "x", shipment.ExceptionCode?.ToString());
        Text(json, "sl", shipment.ServiceLevel);
        Place(json, "sf", shipment.ShipFrom);
        Instant(json, "h", shipment.HandedOverAt);
    }

    private static ShipmentState ReadShipment(JsonElement s) => new(
        Required(s.GetProperty("id")),
        OptionalText(s, "ca"),
        OptionalText(s, "tn"),
        Name<ShipmentStatus>(Required(s.GetProperty("s"))),
        OptionalInstant(s, "sa"),
        OptionalInstant(s, "e"),
        OptionalText(s, "l"),
        OptionalText(s, "x") is { } code ? Name<CarrierExceptionCode>(code) : null,
        OptionalText(s, "sl"),
        OptionalPlace(s, "sf"),
        OptionalInstant(s, "h"));

    private static void Instant(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } at)
        {
            json.WritePropertyName(name);
            InstantValue(json, at);
        }
    }

    private static void InstantValue(Utf8JsonWriter json, DateTimeOffset at)
    {
        if (at.Offset == TimeSpan.Zero && at.UtcTicks % TimeSpan.TicksPerSecond == 0)
        {
            json.WriteNumberValue(at.ToUnixTimeSeconds());
        }
        else
        {
            json.WriteStringValue(at);
        }
    }

    private static DateTimeOffset InstantOf(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? DateTimeOffset.FromUnixTimeSeconds(value.GetInt64())
        : value.GetDateTimeOffset();

    private static void Text(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Place(Utf8JsonWriter json, string name, Place? place)
    {
        if (place is null)
        {
            return;
        }

        json.WriteStartArray(name);
        json.WriteStringValue(place.Country);
        json.WriteStringValue(place.Region);
        json.WriteStringValue(place.PostalCode);
        json.WriteEndArray();
    }

    private static DateTimeOffset? OptionalInstant(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? InstantOf(value) : null;

    private static string? OptionalText(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? Required(value) : null;

    private static Place? OptionalPlace(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.GetArrayLength() != 3)
        {
            throw new FormatException($"a place has 3 parts, not {value.GetArrayLength()}");
        }

        return new Place(Required(value[0]), value[1].GetString(), value[2].GetString());
    }

    /// <summary>A string that is there (GetString gives null for a JSON null).</summary>
    private static string Required(JsonElement value) =>
        value.GetString() ?? throw new FormatException("a required string is null");

    /// <summary>Exactly a member's name (no number, no list of names).</summary>
    private static T Name<T>(string name)
        where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: false, out var value) && value.ToString() == name
            ? value
            : throw new FormatException($"'{name}' is not a {typeof(T).Name}");
}
