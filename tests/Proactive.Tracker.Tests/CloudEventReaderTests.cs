using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Proactive.Contracts.Events.V1;
using Proactive.Tracker.Events;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

public class CloudEventReaderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));

    private static JsonObject Placed() => OrderPlaced("A-1001", T0, T0.AddDays(3), shipBy: T0.AddDays(1));

    [Fact]
    public void ReadsAnOrderPlacedWithOffsetTimestamps()
    {
        var e = Events.Valid(Placed());

        e.Type.ShouldBe("proactive.order.placed.v1");
        e.OrderId.ShouldBe("A-1001");
        e.OccurredAt.ShouldBe(T0);
        var order = e.Data.ShouldBeOfType<OrderSnapshot>();
        order.PromisedBy.ToDateTimeOffset().ShouldBe(T0.AddDays(3));
        order.Customer.TimeZone.ShouldBe("Asia/Seoul");
    }

    [Fact]
    public void IgnoresFieldsAddedUpstreamBeforeUs()
    {
        var placed = Placed();
        placed["data"]!["loyaltyTier"] = "gold";
        placed["data"]!["customer"]!["nickname"] = "MJ";

        Events.Read(placed).Rejection.ShouldBeNull();
    }

    [Fact]
    public void StoresTheDataAsItArrivedOnlyWhenItHoldsExactlyTheMessage()
    {
        var placed = Placed();
        var asSent = Events.Valid(placed);
        StoredPayload.Of(asSent).ShouldBe(placed["data"]!.ToJsonString());

        // Through Dapr the data is bytes: stored as they came, spacing included.
        var spaced = placed["data"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var viaDapr = ViaDapr(spaced);
        StoredPayload.Of(viaDapr).ShouldBe(spaced);
        viaDapr.Data.ShouldBe(asSent.Data);

        // Formatted from the message instead: a field we do not know, a field given under both its
        // names (the earlier value is dropped, unchecked), protobuf data, and text past the bound.
        var extended = Placed();
        extended["data"]!["customer"]!["nickname"] = "MJ";
        var twice = Placed();
        var reordered = new JsonObject { ["order_id"] = "unchecked", ["orderId"] = "A-1001" };
        foreach (var (key, value) in Placed()["data"]!.AsObject().Where(p => p.Key != "orderId"))
        {
            reordered[key] = value!.DeepClone();
        }

        twice["data"] = reordered;
        var binary = Placed();
        binary.Remove("data");
        binary["datacontenttype"] = "application/protobuf";
        binary["data_base64"] = Convert.ToBase64String(asSent.Data.ToByteArray());
        var padded = ViaDapr(spaced.Replace("\n", "\n" + new string(' ', StoredPayload.MaxAsArrived / 8), StringComparison.Ordinal));
        foreach (var e in new[] { extended, twice, binary }.Select(Events.Valid).Append(padded))
        {
            StoredPayload.Of(e).ShouldBe(JsonFormatter.Default.Format(e.Data));
        }

        padded.Data.ShouldBe(asSent.Data);
        StoredPayload.Of(Events.Valid(twice)).ShouldNotContain("unchecked");
    }

    private static InboundEvent ViaDapr(string data) => CloudEventReader.Read(
        Proactive.ServiceDefaults.Dapr.DaprCloudEvents.ToCloudEvent(new global::Dapr.AppCallback.Autogen.Grpc.v1.TopicEventRequest
        {
            SpecVersion = "1.0",
            Id = "via-dapr",
            Source = "shop-orders",
            Type = "proactive.order.placed.v1",
            DataContentType = "application/json",
            Data = ByteString.CopyFromUtf8(data),
        }),
        "orders",
        EventTimeWindow.Around(Events.Now)).Event.ShouldNotBeNull();

    [Fact]
    public void AcceptsJsonWithCharsetAndProtobufInDataBase64()
    {
        var withCharset = Placed();
        withCharset["datacontenttype"] = "application/json; charset=utf-8";
        Events.Read(withCharset).Rejection.ShouldBeNull();

        var message = (OrderSnapshot)Events.Valid(Placed()).Data;
        var binary = Placed();
        binary.Remove("data");
        binary["datacontenttype"] = "application/protobuf";
        binary["data_base64"] = Convert.ToBase64String(message.ToByteArray());
        Events.Valid(binary).Data.ShouldBe(message);
    }

    [Fact]
    public void ReadsWhereAnOrderShipsFromAndToAndWhoFulfilsItInJsonAndProtobuf()
    {
        var placed = Placed();
        placed["data"]!["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-41", ["postalCode"] = "13529" };
        placed["data"]!["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-11" };
        placed["data"]!["fulfilledBy"] = "WH-Icheon:2";

        var order = (OrderSnapshot)Events.Valid(placed).Data;

        order.ShipFrom.ShouldBe(new Address { Country = "KR", Region = "KR-41", PostalCode = "13529" });
        order.ShipTo.ShouldBe(new Address { Country = "KR", Region = "KR-11" });
        order.FulfilledBy.ShouldBe("WH-Icheon:2");
        var binary = Placed();
        binary.Remove("data");
        binary["datacontenttype"] = "application/protobuf";
        binary["data_base64"] = Convert.ToBase64String(order.ToByteArray());
        Events.Valid(binary).Data.ShouldBe(order);
    }

    [Fact]
    public void ReadsAShipmentsServiceLevelAndShipFrom()
    {
        var created = ShipmentCreated("A-1001", "S-1", T0.AddHours(5), null);
        created["data"]!["serviceLevel"] = "express";
        created["data"]!["shipFrom"] = new JsonObject { ["country"] = "BR", ["region"] = "BR-SP", ["postalCode"] = "01310" };

        var shipment = (ShipmentCreated)Events.Valid(created).Data;

        shipment.ServiceLevel.ShouldBe("express");
        shipment.ShipFrom.ShouldBe(new Address { Country = "BR", Region = "BR-SP", PostalCode = "01310" });
    }

    public static TheoryData<string, Action<JsonObject>, string> BadInput => new()
    {
        { "specversion", e => e["specversion"] = "0.3", "specversion" },
        { "no id", e => e.Remove("id"), "id" },
        { "no source", e => e["source"] = "", "source" },
        { "unknown type", e => e["type"] = "com.example.order.v1", "type" },
        { "type on the wrong topic", e => e["type"] = "proactive.shipment.created.v1", "type" },
        { "not JSON data", e => e["datacontenttype"] = "text/plain", "datacontenttype" },
        { "no data", e => e.Remove("data"), "data" },
        { "data not an object", e => e["data"] = "A-1001", "data" },
        { "no orderId", e => e["data"]!.AsObject().Remove("orderId"), "data.orderId" },
        { "orderId a number", e => e["data"]!["orderId"] = 1001, "data.orderId" },
        { "no occurredAt", e => e["data"]!.AsObject().Remove("occurredAt"), "data.occurredAt" },
        { "timestamp that does not parse", e => e["data"]!["promisedBy"] = "next Tuesday", "data.promisedBy" },
        { "timestamp without offset", e => e["data"]!["promisedBy"] = "2026-11-26T21:00:00", "data.promisedBy" },
        { "no customer", e => e["data"]!.AsObject().Remove("customer"), "data.customer" },
        { "no customerId", e => e["data"]!["customer"]!.AsObject().Remove("customerId"), "data.customer.customerId" },
        { "phone not E.164", e => e["data"]!["customer"]!["phone"] = "010-1234-5678", "data.customer.phone" },
        { "neither phone nor email", e => { e["data"]!["customer"]!.AsObject().Remove("phone"); e["data"]!["customer"]!.AsObject().Remove("email"); }, "data.customer.phone" },
        { "email not an address", e => e["data"]!["customer"]!["email"] = "minji at example", "data.customer.email" },
        { "unknown time zone", e => e["data"]!["customer"]!["timeZone"] = "Asia/Gotham", "data.customer.timeZone" },
        { "locale not BCP 47", e => e["data"]!["customer"]!["locale"] = "korean please", "data.customer.locale" },
        { "unknown channel", e => e["data"]!["customer"]!["channels"] = new JsonArray("SMS", "PIGEON"), "data.customer.channels[1]" },
        { "tracking url not absolute", e => e["data"]!["trackingUrl"] = "/orders/A-1001", "data.trackingUrl" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void RefusesBadInputNamingTheField(string why, Action<JsonObject> spoil, string field)
    {
        var e = Placed();
        spoil(e);

        var rejection = Events.Read(e, "orders").Rejection;

        rejection.ShouldNotBeNull(why);
        rejection.Errors.Keys.ShouldContain(field, why);
    }

    [Fact]
    public void ReportsEveryFieldAtFaultAtOnce()
    {
        var e = Placed();
        e["data"]!["promisedBy"] = "soon";
        e["data"]!["customer"]!["phone"] = "010-1234-5678";
        e["data"]!["customer"]!["timeZone"] = "Asia/Gotham";
        e["data"]!["customer"]!["channels"] = new JsonArray("FAX");

        var rejection = Events.Read(e).Rejection!;

        rejection.Errors.Keys.Order().ShouldBe(["data.customer.channels[0]", "data.customer.phone", "data.customer.timeZone", "data.promisedBy"]);
        rejection.Errors["data.promisedBy"].ShouldBe(["must be an RFC 3339 timestamp with an offset, e.g. 2026-11-26T21:00:00+09:00"]);
    }

    [Fact]
    public void RefusesATrackingUpdateWithAnUnknownStatusOrAnExceptionWithoutCode()
    {
        var unknownStatus = Tracking("A-1001", "S-1", T0, "TELEPORTED");
        Events.Read(unknownStatus).Rejection!.Errors.Keys.ShouldContain("data.status");

        var noCode = Tracking("A-1001", "S-1", T0, "EXCEPTION");
        Events.Read(noCode).Rejection!.Errors.Keys.ShouldContain("data.exception.code");

        var noStatus = Tracking("A-1001", "S-1", T0, "IN_TRANSIT");
        noStatus["data"]!.AsObject().Remove("status");
        Events.Read(noStatus).Rejection!.Errors.Keys.ShouldContain("data.status");
    }

    [Fact]
    public void RefusesSomethingThatIsNotAnObject()
    {
        using var doc = JsonDocument.Parse("[1,2]");
        CloudEventReader.Read(doc.RootElement, "orders", EventTimeWindow.Around(Events.Now)).Rejection!.Errors.Keys.ShouldContain("event");
    }

    [Fact]
    public void ErrorsNeverRepeatTheCustomersContactDetails()
    {
        var e = Placed();
        e["data"]!["customer"]!["phone"] = "+82 10 9876 5432";
        e["data"]!["customer"]!["email"] = "minji(at)example.com";

        var summary = Events.Read(e).Rejection!.Summary;

        summary.ShouldNotContain("9876");
        summary.ShouldNotContain("minji");
    }

    [Fact]
    public void KeepsTheTraceParentButNotAnAllZeroOne()
    {
        var e = Placed();
        e["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Events.Valid(e).TraceParent.ShouldBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        e["traceparent"] = "00-00000000000000000000000000000000-0000000000000000-00";
        Events.Valid(e).TraceParent.ShouldBeNull();
    }
}
