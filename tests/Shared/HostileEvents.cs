using System.Globalization;
using System.Text.Json;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tests.Shared;

/// <summary>
/// One event an upstream system could send that must be refused naming <paramref name="Field"/>.
/// <paramref name="Data"/> is the raw JSON text of <c>data</c> (so it can hold what no JSON library
/// writes: duplicate keys, lone surrogate escapes), or the base64 of a protobuf message when
/// <paramref name="ContentType"/> is application/protobuf. <paramref name="Id"/> and
/// <paramref name="Source"/> are raw JSON literals; <paramref name="Attributes"/> more raw envelope
/// members ("\"time\":\"…\""). <paramref name="JsonOnly"/>: a fault only structured JSON can carry.
/// </summary>
public sealed record HostileEvent(
    string Why,
    string Topic,
    string Field,
    string Type,
    string Data,
    string Id = "\"hostile-1\"",
    string Source = "\"shop-orders\"",
    string ContentType = "application/json",
    string Attributes = "",
    bool JsonOnly = false)
{
    public bool IsProtobuf => ContentType == "application/protobuf";

    /// <summary>The event in structured mode, exactly as written.</summary>
    public string Structured()
    {
        var attributes = Attributes.Length > 0 ? Attributes + "," : "";
        var data = IsProtobuf ? $"\"data_base64\":\"{Data}\"" : $"\"data\":{Data}";
        return $$"""{"specversion":"1.0","id":{{Id}},"source":{{Source}},"type":"{{Type}}","datacontenttype":"{{ContentType}}",{{attributes}}{{data}}}""";
    }

    /// <summary>The data as daprd hands it over: the JSON text's bytes, or the protobuf message's.</summary>
    public byte[] DataBytes() => IsProtobuf ? Convert.FromBase64String(Data) : System.Text.Encoding.UTF8.GetBytes(Data);

    /// <summary>The event as daprd delivers it over gRPC: attributes as fields, the rest in extensions, data as bytes.</summary>
    public TopicEventCERequest ToDapr() => new()
    {
        SpecVersion = "1.0",
        Id = HostileEvents.Unquote(Id),
        Source = HostileEvents.Unquote(Source),
        Type = Type,
        DataContentType = ContentType,
        Data = ByteString.CopyFrom(DataBytes()),
        Extensions = JsonParser.Default.Parse<Struct>($"{{\"pubsubname\":\"pubsub\",\"topic\":\"{Topic}\"{(Attributes.Length > 0 ? "," + Attributes : "")}}}"),
    };

    public override string ToString() => Why;
}

/// <summary>Every kind of hostile or careless event found so far, dated around a host's clock.</summary>
public static class HostileEvents
{
    public const string OrderId = "H-1";
    public const string OrderPlaced = "proactive.order.placed.v1";
    public const string ShipmentTracking = "proactive.shipment.tracking.v1";
    private const long MaxTimestampSeconds = 253_402_300_799;

    public static IReadOnlyList<HostileEvent> Around(DateTimeOffset now)
    {
        string Ts(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var occurred = Ts(now.AddHours(-1));
        var promised = Ts(now.AddDays(3));
        string Order(
            string orderId = $"\"{OrderId}\"", string? occurredAt = null, string? promisedBy = null, string shipBy = "", string name = "\"Minji\"",
            string customerId = "\"C-1\"", string email = "\"minji@example.com\"", string trackingUrl = "\"https://shop.example/orders/H-1\"", string extra = "") =>
            $$"""{"orderId":{{orderId}},"occurredAt":"{{occurredAt ?? occurred}}","promisedBy":{{promisedBy ?? $"\"{promised}\""}},{{shipBy}}"customer":{"customerId":{{customerId}},"name":{{name}},"phone":"+821012345678","email":{{email}},"locale":"ko-KR","timeZone":"Asia/Seoul"},{{extra}}"trackingUrl":{{trackingUrl}}}""";
        string Track(string shipmentId = "\"S-1\"", string eta = "", string location = "\"Daejeon Hub\"", string description = "\"Heavy snow\"") =>
            $$"""{"shipmentId":{{shipmentId}},"orderId":"{{OrderId}}","occurredAt":"{{occurred}}","status":"EXCEPTION",{{eta}}"location":{{location}},"exception":{"code":"WEATHER","description":{{description}}""" + "}}";
        HostileEvent O(string why, string field, string data, string id = "\"hostile-1\"", string source = "\"shop-orders\"", string attributes = "", bool jsonOnly = false) =>
            new(why, "orders", field, OrderPlaced, data, id, source, Attributes: attributes, JsonOnly: jsonOnly);
        HostileEvent S(string why, string field, string data) => new(why, "shipments", field, ShipmentTracking, data, Source: "\"carrier-gateway\"");
        HostileEvent C(string why, string field, string extra) => new(
            why, "shipments", field, "proactive.shipment.created.v1",
            $$"""{"shipmentId":"S-1","orderId":"{{OrderId}}","occurredAt":"{{occurred}}",{{extra}}"carrier":"CJ"}""",
            Source: "\"carrier-gateway\"");
        HostileEvent P(string why, string field, Action<OrderSnapshot> spoil)
        {
            var order = new OrderSnapshot
            {
                OrderId = OrderId,
                OccurredAt = Timestamp.FromDateTimeOffset(now.AddHours(-1)),
                PromisedBy = Timestamp.FromDateTimeOffset(now.AddDays(3)),
                Customer = new Customer { CustomerId = "C-1", Name = "Minji", Phone = "+821012345678" },
            };
            spoil(order);
            return new(why, "orders", field, OrderPlaced, order.ToByteString().ToBase64(), ContentType: "application/protobuf");
        }

        var far = "\"9999-12-31T23:59:59Z\"";
        return
        [
            O("promise in year 9999", "data.promisedBy", Order(promisedBy: far)),
            O("ship-by in year 9999", "data.shipBy", Order(shipBy: $"\"shipBy\":{far},")),
            S("estimate in year 9999", "data.estimatedDeliveryAt", Track(eta: $"\"estimatedDeliveryAt\":{far},")),
            O("promise a thousand years before the order", "data.promisedBy", Order(promisedBy: "\"1026-11-27T09:00:00Z\"")),
            O("dated 2099", "data.occurredAt", Order(occurredAt: "2099-01-01T00:00:00Z", promisedBy: "\"2099-01-04T00:00:00Z\"")),
            O("dated 1970", "data.occurredAt", Order(occurredAt: "1970-01-01T00:00:00Z", promisedBy: "\"1970-01-04T00:00:00Z\"")),
            O("timestamp in year 10000", "data.promisedBy", Order(promisedBy: "\"10000-01-01T00:00:00Z\"")),
            O("NUL in the customer's name", "data.customer.name", Order(name: "\"Min\\u0000ji\"")),
            O("NUL in the tracking link", "data.trackingUrl", Order(trackingUrl: "\"https://shop.example/\\u0000\"")),
            O("NUL in the order id", "data.orderId", Order(orderId: "\"H\\u0000-1\"")),
            O("NUL in the customer id", "data.customer.customerId", Order(customerId: "\"C\\u0000\"")),
            O("NUL in a field we do not know", "data.notes", Order(extra: "\"notes\":\"a\\u0000b\",")),
            S("escape character in the location", "data.location", Track(location: "\"Hub\\u001b[2J\"")),
            S("DEL in the exception's description", "data.exception.description", Track(description: "\"snow\\u007f\"")),
            O("new line in the customer's name", "data.customer.name", Order(name: "\"Min\\nji\"")),
            O("lone surrogate in the customer's name", "data.customer.name", Order(name: "\"\\ud800\"")),
            O("lone low surrogate in the tracking link", "data.trackingUrl", Order(trackingUrl: "\"https://shop.example/\\udc00\"")),
            O("orderId given twice", "data.orderId", Order(extra: "\"orderId\":\"H-2\",")),
            O("promisedBy given twice with clashing types", "data.promisedBy", Order(extra: "\"promisedBy\":5,")),
            O("20,000-character orderId", "data.orderId", Order(orderId: $"\"{new string('A', 20_000)}\"")),
            O("129-character orderId", "data.orderId", Order(orderId: $"\"{new string('A', 129)}\"")),
            O("orderId with a slash", "data.orderId", Order(orderId: "\"H/1\"")),
            O("orderId with ..", "data.orderId", Order(orderId: "\"H..1\"")),
            O("orderId starting with a dot", "data.orderId", Order(orderId: "\".H-1\"")),
            O("customerId with a space", "data.customer.customerId", Order(customerId: "\"C 1\"")),
            S("shipmentId with a slash", "data.shipmentId", Track(shipmentId: "\"S/1\"")),
            O("tracking link with user information", "data.trackingUrl", Order(trackingUrl: "\"https://shop.example@evil.example/verify\"")),
            O("tracking link of 2,049 characters", "data.trackingUrl", Order(trackingUrl: $"\"https://shop.example/{new string('a', 2028)}\"")),
            O("name of 257 characters", "data.customer.name", Order(name: $"\"{new string('n', 257)}\"")),
            O("email of 255 characters", "data.customer.email", Order(email: $"\"{new string('m', 243)}@example.com\"")),
            S("description of 1,025 characters", "data.exception.description", Track(description: $"\"{new string('d', 1025)}\"")),
            O("ship-to country in lower case", "data.shipTo.country", Order(extra: "\"shipTo\":{\"country\":\"kr\",\"region\":\"KR-11\"},")),
            O("ship-to country of three letters", "data.shipTo.country", Order(extra: "\"shipTo\":{\"country\":\"KOR\"},")),
            O("ship-from without a country", "data.shipFrom.country", Order(extra: "\"shipFrom\":{\"region\":\"BR-SP\"},")),
            O("region with a space", "data.shipTo.region", Order(extra: "\"shipTo\":{\"country\":\"KR\",\"region\":\"KR 11\"},")),
            O("region of 65 characters", "data.shipTo.region", Order(extra: $"\"shipTo\":{{\"country\":\"KR\",\"region\":\"{new string('r', 65)}\"}},")),
            O("NUL in the postal code", "data.shipTo.postalCode", Order(extra: "\"shipTo\":{\"country\":\"KR\",\"postalCode\":\"04\\u00001\"},")),
            O("postal code of 33 characters", "data.shipFrom.postalCode", Order(extra: $"\"shipFrom\":{{\"country\":\"KR\",\"postalCode\":\"{new string('9', 33)}\"}},")),
            O("fulfilledBy with a slash", "data.fulfilledBy", Order(extra: "\"fulfilledBy\":\"W/1\",")),
            O("fulfilledBy of 129 characters", "data.fulfilledBy", Order(extra: $"\"fulfilledBy\":\"{new string('W', 129)}\",")),
            C("service level with a space", "data.serviceLevel", "\"serviceLevel\":\"next day\","),
            C("service level of 65 characters", "data.serviceLevel", $"\"serviceLevel\":\"{new string('x', 65)}\","),
            C("shipment ship-from country of digits", "data.shipFrom.country", "\"shipFrom\":{\"country\":\"82\"},"),
            O("NUL in the event id", "id", Order(), id: "\"hostile\\u00001\""),
            O("event id of 257 characters", "id", Order(), id: $"\"{new string('i', 257)}\""),
            O("source of 257 characters", "source", Order(), source: $"\"{new string('s', 257)}\""),
            O("time that is not a timestamp", "time", Order(), attributes: "\"time\":\"yesterday\""),
            O("envelope id given twice", "id", Order(), attributes: "\"id\":\"hostile-2\"", jsonOnly: true),
            O("lone surrogate in the source", "source", Order(), source: "\"shop\\ud800\"", jsonOnly: true),
            P("protobuf promise after year 9999", "data.promisedBy", o => o.PromisedBy = new Timestamp { Seconds = MaxTimestampSeconds + 1 }),
            P("protobuf occurredAt with negative nanos", "data.occurredAt", o => o.OccurredAt = new Timestamp { Seconds = o.OccurredAt.Seconds, Nanos = -1 }),
            P("protobuf promise in year 9999", "data.promisedBy", o => o.PromisedBy = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero))),
            P("protobuf dated 2099", "data.occurredAt", o => o.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero))),
            P("protobuf NUL in the customer's name", "data.customer.name", o => o.Customer.Name = "Min\0ji"),
            P("protobuf 20,000-character orderId", "data.orderId", o => o.OrderId = new string('A', 20_000)),
            P("protobuf region with a slash", "data.shipTo.region", o => o.ShipTo = new Address { Country = "KR", Region = "KR/11" }),
            P("protobuf ship-from country in lower case", "data.shipFrom.country", o => o.ShipFrom = new Address { Country = "br" }),
            P("protobuf fulfilledBy with ..", "data.fulfilledBy", o => o.FulfilledBy = "W..1"),
        ];
    }

    /// <summary>The name of every case (for theories: the cases themselves are built around each host's clock).</summary>
    public static IEnumerable<string> Whys => Around(DateTimeOffset.UnixEpoch.AddYears(56)).Select(h => h.Why);

    public static HostileEvent Named(string why, DateTimeOffset now) => Around(now).Single(h => h.Why == why);

    /// <summary>A raw JSON literal's text (what daprd would carry in a protobuf string field).</summary>
    public static string Unquote(string literal) => JsonSerializer.Deserialize<string>(literal)!;
}
