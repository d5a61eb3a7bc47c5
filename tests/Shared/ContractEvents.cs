using System.Globalization;
using System.Text.Json.Nodes;

namespace Proactive.Tests.Shared;

/// <summary>Builds contract CloudEvents (structured JSON) the way an upstream shop would publish them.</summary>
public static class ContractEvents
{
    public const string KoreanPhone = "+821012345678";
    public const string KoreanEmail = "minji@example.com";
    public const string EnglishPhone = "+14155550123";
    public const string EnglishEmail = "alex@example.com";

    public static string Ts(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);

    public static JsonObject Envelope(string type, JsonObject data, string? id = null, string source = "shop-orders") => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id ?? Guid.NewGuid().ToString("N"),
        ["source"] = source,
        ["type"] = type,
        ["datacontenttype"] = "application/json",
        ["time"] = data["occurredAt"]?.DeepClone(),
        ["data"] = data,
    };

    public static JsonObject KoreanCustomer() => new()
    {
        ["customerId"] = "C-77",
        ["name"] = "김민지",
        ["phone"] = KoreanPhone,
        ["email"] = KoreanEmail,
        ["locale"] = "ko-KR",
        ["timeZone"] = "Asia/Seoul",
    };

    public static JsonObject EnglishCustomer() => new()
    {
        ["customerId"] = "C-88",
        ["name"] = "Alex <Morgan> & Co",
        ["phone"] = EnglishPhone,
        ["email"] = EnglishEmail,
        ["locale"] = "en-US",
        ["timeZone"] = "America/New_York",
    };

    public static JsonObject OrderPlaced(
        string orderId, DateTimeOffset occurredAt, DateTimeOffset promisedBy, JsonObject? customer = null, DateTimeOffset? shipBy = null, string? id = null, string type = "proactive.order.placed.v1")
    {
        var data = new JsonObject
        {
            ["orderId"] = orderId,
            ["occurredAt"] = Ts(occurredAt),
            ["promisedBy"] = Ts(promisedBy),
            ["customer"] = customer ?? KoreanCustomer(),
            ["trackingUrl"] = $"https://shop.example/orders/{orderId}",
        };
        if (shipBy is { } s)
        {
            data["shipBy"] = Ts(s);
        }

        return Envelope(type, data, id);
    }

    public static JsonObject OrderCancelled(string orderId, DateTimeOffset occurredAt, string? id = null) =>
        Envelope("proactive.order.cancelled.v1", new JsonObject { ["orderId"] = orderId, ["occurredAt"] = Ts(occurredAt), ["reason"] = "customer request" }, id);

    public static JsonObject ShipmentCreated(string orderId, string shipmentId, DateTimeOffset occurredAt, DateTimeOffset? eta, string? id = null)
    {
        var data = new JsonObject
        {
            ["shipmentId"] = shipmentId,
            ["orderId"] = orderId,
            ["occurredAt"] = Ts(occurredAt),
            ["carrier"] = "CJ Logistics",
            ["trackingNumber"] = "5512-3344-9988",
        };
        if (eta is { } e)
        {
            data["estimatedDeliveryAt"] = Ts(e);
        }

        return Envelope("proactive.shipment.created.v1", data, id, "shop-shipping");
    }

    public static JsonObject Tracking(
        string orderId, string shipmentId, DateTimeOffset occurredAt, string status, DateTimeOffset? eta = null, string? exceptionCode = null, string? id = null)
    {
        var data = new JsonObject
        {
            ["shipmentId"] = shipmentId,
            ["orderId"] = orderId,
            ["occurredAt"] = Ts(occurredAt),
            ["status"] = status,
            ["location"] = "Daejeon Hub",
        };
        if (eta is { } e)
        {
            data["estimatedDeliveryAt"] = Ts(e);
        }

        if (exceptionCode is not null)
        {
            data["exception"] = new JsonObject { ["code"] = exceptionCode, ["description"] = "carrier said so" };
        }

        return Envelope("proactive.shipment.tracking.v1", data, id, "carrier-gateway");
    }
}
