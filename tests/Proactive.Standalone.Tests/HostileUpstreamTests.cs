using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Events.V1;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// What a hostile or careless upstream may post, each followed by an ordinary late order on the
/// same running instance: the ordinary order is told on both channels every time, no request
/// gets a 5xx, what cannot be accepted is a 400 naming the field, and no link to a foreign host
/// reaches a customer.
/// </summary>
public sealed class HostileUpstreamTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;

    public static TheoryData<string, StoreKind> Cases()
    {
        var data = new TheoryData<string, StoreKind>();
        foreach (var store in new[] { StoreKind.Sqlite, StoreKind.Postgres })
        {
            foreach (var name in Hostile.Keys)
            {
                data.Add(name, store);
            }
        }

        return data;
    }

    /// <summary>Each hostile input: the raw body, and the field a refusal must name (null: it may be accepted).</summary>
    private static readonly Dictionary<string, (Func<byte[]> Body, string? Field)> Hostile = new()
    {
        ["promise in year 9999, customer east of UTC"] = (() => Json(Order("H-9999", promisedBy: "9999-12-31T23:59:59Z")), "data.promisedBy"),
        ["estimate in year 9999"] = (() => Json(Tracking("H-1", "S-H", Now, "IN_TRANSIT").Also(e => e["data"]!["estimatedDeliveryAt"] = "9999-12-31T23:59:59Z")), "data.estimatedDeliveryAt"),
        ["NUL in the customer's name"] = (() => Json(Order("H-NUL", name: "Min\u0000ji")), "data.customer.name"),
        ["NUL in the tracking link"] = (() => Json(Order("H-NUL2", trackingUrl: "https://shop.example/\u0000x")), "data.trackingUrl"),
        ["lone surrogate"] = (() => Utf8(Order("H-SUR", name: "NAME").ToJsonString().Replace("NAME", "\\ud800", StringComparison.Ordinal)), "data.customer.name"),
        ["invalid UTF-8"] = (InvalidUtf8, "body"),
        ["duplicate keys with clashing types"] = (() => Utf8(Order("H-DUP").ToJsonString().Replace("\"orderId\":\"H-DUP\"", "\"orderId\":\"H-DUP\",\"orderId\":42", StringComparison.Ordinal)), "data.orderId"),
        ["protobuf timestamp out of range"] = (() => Json(ProtobufOrder()), null),
        ["20,000-character order id"] = (() => Json(Order(new string('A', 20_000))), "data.orderId"),
        ["order id with a slash"] = (() => Json(Order("../../etc/passwd")), "data.orderId"),
        ["event dated 2099"] = (() => Json(Tracking("H-2099", "S-2099", new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), "IN_TRANSIT")), "data.occurredAt"),
        ["phishing text and a foreign link"] = (() => Json(Order("ACCOUNT-LOCKED-verify-at-evil.example", trackingUrl: "https://evil.example/verify")), null),
        ["C0 control in a carrier's description"] = (() => Json(Tracking("H-C0", "S-C0", Now, "EXCEPTION", exceptionCode: "WEATHER").Also(e => e["data"]!["exception"]!["description"] = "snow\u001b[2J")), "data.exception.description"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AHostileEventNeverSilencesTheNextOrdinaryOrder(string name, StoreKind store)
    {
        await using var host = await StandaloneHost.StartAsync(store: store);
        var (body, field) = Hostile[name];
        var topic = name.Contains("estimate", StringComparison.Ordinal) || name.Contains("2099", StringComparison.Ordinal) || name.Contains("carrier", StringComparison.Ordinal)
            ? "shipments" : "orders";

        using (var response = await PostBytesAsync(host, topic, body()))
        {
            var answer = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            ((int)response.StatusCode).ShouldBeLessThan(500, $"{name}: {answer}");
            if (field is not null)
            {
                ((int)response.StatusCode).ShouldBe(400, $"{name}: {answer}");
                JsonDocument.Parse(answer).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"{name}: {answer}");
            }
        }

        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        await host.AcceptAsync(
            OrderPlaced("OK-1", Now.AddHours(-2), Now.AddDays(2)),
            ShipmentCreated("OK-1", "S-OK", Now.AddHours(-1), Now.AddDays(4)));
        await host.DrainAsync();

        host.Twilio.Messages.ShouldContain(m => m.To == KoreanPhone, name);
        host.SendGrid.Mails.ShouldContain(m => m.To == KoreanEmail, name);
        host.Twilio.Messages.ShouldAllBe(m => !m.Body.Contains("evil.example", StringComparison.OrdinalIgnoreCase), name);
        host.SendGrid.Mails.ShouldAllBe(m => !$"{m.Subject} {m.Text} {m.Html}".Contains("evil.example", StringComparison.OrdinalIgnoreCase), name);
        using var health = await host.Client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        ((int)health.StatusCode).ShouldBeLessThan(500, name);
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task AnEventDated2099DoesNotHideTheRealDelivery(StoreKind store)
    {
        await using var host = await StandaloneHost.StartAsync(store: store);
        await host.AcceptAsync(
            OrderPlaced("D-1", Now.AddHours(-2), Now.AddDays(2)),
            ShipmentCreated("D-1", "S-1", Now.AddHours(-1), Now.AddDays(1)));
        using (var future = await host.PostAsync("shipments", Tracking("D-1", "S-1", new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), "IN_TRANSIT")))
        {
            ((int)future.StatusCode).ShouldBe(400);
            (await future.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty("data.occurredAt", out _).ShouldBeTrue();
        }

        await host.AcceptAsync(Tracking("D-1", "S-1", Now.AddMinutes(5), "DELIVERED"));
        await host.DrainAsync();

        (await host.OrderAsync("D-1")).GetProperty("state").GetString().ShouldBe("delivered");
    }

    /// <summary>An order that is late (its ship-by time has passed), so whatever is accepted is also rendered and sent.</summary>
    private static JsonObject Order(string orderId, string? promisedBy = null, string? name = null, string? trackingUrl = null)
    {
        var customer = KoreanCustomer();
        customer["customerId"] = "C-H";
        customer["phone"] = "+821099998888";
        customer["email"] = "hostile@example.com";
        if (name is not null)
        {
            customer["name"] = name;
        }

        var e = OrderPlaced(orderId, Now.AddHours(-2), Now.AddDays(2), customer, shipBy: Now.AddHours(-1));
        if (promisedBy is not null)
        {
            e["data"]!["promisedBy"] = promisedBy;
        }

        if (trackingUrl is not null)
        {
            e["data"]!["trackingUrl"] = trackingUrl;
        }

        return e;
    }

    /// <summary>An order in protobuf (data_base64) whose promise is past the Timestamp's range.</summary>
    private static JsonObject ProtobufOrder()
    {
        var order = new OrderSnapshot
        {
            OrderId = "H-PB",
            OccurredAt = Timestamp.FromDateTimeOffset(Now),
            PromisedBy = new Timestamp { Seconds = long.MaxValue / 2 },
            Customer = new Customer { CustomerId = "C-PB", Phone = "+821099998877", TimeZone = "Asia/Seoul" },
        };
        var e = Envelope("proactive.order.placed.v1", new JsonObject(), "pb-1");
        e.Remove("data");
        e.Remove("time");
        e["datacontenttype"] = "application/protobuf";
        e["data_base64"] = Convert.ToBase64String(order.ToByteArray());
        return e;
    }

    /// <summary>An order whose customer name holds the bytes C3 28: not UTF-8.</summary>
    private static byte[] InvalidUtf8()
    {
        var bytes = Utf8(Order("H-UTF", name: "NAME").ToJsonString());
        var at = bytes.AsSpan().IndexOf("NAME"u8);
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;
        return bytes;
    }

    private static byte[] Json(JsonObject e) => Utf8(e.ToJsonString());

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static Task<HttpResponseMessage> PostBytesAsync(StandaloneHost host, string topic, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/cloudevents+json");
        return host.Client.PostAsync($"/v1/events/{topic}", content, TestContext.Current.CancellationToken);
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject e, Action<JsonObject> change)
    {
        change(e);
        return e;
    }
}
