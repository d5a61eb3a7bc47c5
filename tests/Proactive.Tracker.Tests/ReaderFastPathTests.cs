using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Events.V1;
using Proactive.Tests.Shared;
using Proactive.Tracker.Events;

namespace Proactive.Tracker.Tests;

/// <summary>
/// The reader's quick paths (issue 14: one walk of the data instead of four) against the thorough
/// ones they stand in for: the quick JSON text check finds a fault exactly when the full walk does,
/// and the data read in the shape walk is the message the protobuf parser makes of the same JSON.
/// </summary>
public class ReaderFastPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);

    private static readonly JsonParser Protobuf = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Every hostile event of the catalogue, whole and its data alone, and data that is odd but fine.</summary>
    public static TheoryData<string> Texts()
    {
        var texts = new TheoryData<string>();
        foreach (var hostile in HostileEvents.Around(Now).Where(h => !h.IsProtobuf))
        {
            texts.Add(hostile.Structured());
            texts.Add(hostile.Data);
        }

        foreach (var odd in OddButFineData)
        {
            texts.Add(odd);
        }

        return texts;
    }

    private static readonly string[] OddButFineData =
    [
        """{"orderId":"A-1","occurredAt":"2026-11-24T09:00:00+09:00","promisedBy":"2026-11-27T00:00:00.5Z","customer":{"customerId":"C-1","phone":"\u002B821012345678","channels":["SMS",2]}}""",
        """{"order_id":"A-1","occurred_at":"2026-11-23T23:59:59.123456789-05:30","promised_by":"2026-11-27T00:00:00Z","customer":{"customer_id":"C-1","email":"a@b.example","time_zone":"Asia/Seoul"}}""",
        """{"orderId":"A-1","order_id":"A-2","customer":{"customerId":"C-1"},"customer":null,"shipTo":{"country":"KR"},"ship_to":{"region":"KR-11"}}""",
        """{"orderId":null,"occurredAt":null,"customer":{"channels":["SMS"],"channels":["EMAIL"],"name":"Min\u0006ji"}}""",
        """{"orderId":"A-1","loyalty":{"tier":[1,2,{"a":null}]},"customer":{"customerId":"C-1","nickname":"\ud83d\ude00"}}""",
        """{"shipmentId":"S-1","orderId":"A-1","occurredAt":"2026-11-24T00:00:00Z","status":4,"exception":{"code":"WEATHER"}}""",
        """{"shipmentId":"S-1","orderId":"A-1","occurredAt":"2026-11-24T00:00:00Z","status":"STATUS_UNSPECIFIED","exception":{"code":0}}""",
        """{"shipmentId":"S-1","orderId":"A-1","occurredAt":"2026-11-24T24:00:00Z","status":1.0,"location":7}""",
        """{"orderId":"A-1","occurredAt":"2026-02-30T00:00:00Z","promisedBy":"0001-01-01T00:00:00+01:00","customer":"C-1"}""",
        """["not","an","object"]""",
        """{"order_id":"A-1","orderId":"A-2","occurredAt":"2026-11-24T00:00:00Z","customer":{"customerId":"C-1","customer_id":"C-2"}}""",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void TheQuickTextCheckFindsAFaultExactlyWhenTheFullWalkDoes(string json)
    {
        using var document = JsonDocument.Parse(json);
        var quick = new Dictionary<string, string[]>();
        var full = new Dictionary<string, string[]>();

        JsonText.Check(document.RootElement, "data", quick);
        JsonText.Report(document.RootElement, "data", full);

        Listed(quick).ShouldBe(Listed(full));
    }

    private static string[] Listed(Dictionary<string, string[]> errors) => [.. errors.Select(e => $"{e.Key}: {string.Join(" | ", e.Value)}")];

    [Theory]
    [MemberData(nameof(Texts))]
    public void DataReadInTheShapeWalkIsWhatTheProtobufParserMakesOfIt(string json)
    {
        using var document = JsonDocument.Parse(json);
        var text = new Dictionary<string, string[]>();
        JsonText.Check(document.RootElement, "data", text);
        Assert.SkipWhen(text.Count > 0, "the reader refuses this text before it reads the data");
        foreach (var descriptor in new[] { OrderSnapshot.Descriptor, ShipmentTracking.Descriptor, ShipmentCreated.Descriptor, OrderCancelled.Descriptor })
        {
            var shape = new Dictionary<string, string[]>();
            ProtoJsonShape.Check(document.RootElement, descriptor, "data", shape);

            var read = ProtoJsonShape.TryRead(document.RootElement, descriptor, out var message, out var exact);

            if (shape.Count > 0)
            {
                read.ShouldBeFalse($"{descriptor.Name}: {string.Join(", ", shape.Keys)}");
            }
            else
            {
                read.ShouldBeTrue(descriptor.Name);
                message.ShouldBe(Protobuf.Parse(json, descriptor), descriptor.Name);
                exact.ShouldBe(StrictParserReads(json, descriptor) && NoFieldTwice(document.RootElement, descriptor), descriptor.Name);
            }
        }
    }

    /// <summary>Protobuf's parser without leave to skip: it throws on a field the message does not have.</summary>
    private static bool StrictParserReads(string json, Google.Protobuf.Reflection.MessageDescriptor descriptor)
    {
        try
        {
            JsonParser.Default.Parse(json, descriptor);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>No object gives one field twice, under its proto name and its JSON name, at any depth.</summary>
    private static bool NoFieldTwice(JsonElement value, Google.Protobuf.Reflection.MessageDescriptor descriptor)
    {
        var fields = value.EnumerateObject()
            .Select(p => (p.Value, Field: descriptor.FindFieldByName(p.Name) ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == p.Name)))
            .Where(p => p.Field is not null)
            .ToList();
        return fields.Select(p => p.Field!.FieldNumber).Distinct().Count() == fields.Count
            && fields.All(p => p.Field!.FieldType != Google.Protobuf.Reflection.FieldType.Message
                || p.Field.MessageType.FullName == Timestamp.Descriptor.FullName
                || p.Value.ValueKind != JsonValueKind.Object
                || NoFieldTwice(p.Value, p.Field.MessageType));
    }

    [Fact]
    public void AnOddButFineOrderIsReadAsTheProtobufParserReadsIt()
    {
        // Proto names, a field given by both names (the last wins), a null clearing a field: as protobuf's JSON mapping says.
        using var document = JsonDocument.Parse(OddButFineData[2]);

        ProtoJsonShape.TryRead(document.RootElement, OrderSnapshot.Descriptor, out var message, out _).ShouldBeTrue();

        var order = message.ShouldBeOfType<OrderSnapshot>();
        order.OrderId.ShouldBe("A-2");
        order.Customer.ShouldBeNull();
        order.ShipTo.ShouldBe(new Address { Region = "KR-11" });
    }

    [Fact]
    public void AnEscapedCharacterIsCheckedAsTheCharacterItStandsFor()
    {
        using var fine = JsonDocument.Parse("""{"phone":"\u002B8210","name":"\ud83d\ude00"}""");
        using var control = JsonDocument.Parse("""{"name":"Min\u007fji"}""");
        var errors = new Dictionary<string, string[]>();

        JsonText.Check(fine.RootElement, "data", errors);
        errors.ShouldBeEmpty();
        JsonText.Check(control.RootElement, "data", errors);

        errors.Keys.ShouldBe(["data.name"]);
    }

    [Fact]
    public void TimestampsReadAsProtobufsParserReadsThem()
    {
        string[] forms =
        [
            "2026-11-26T21:00:00Z", "2026-11-26T21:00:00+09:00", "2026-11-26T21:00:00.5-05:30", "2026-12-02T05:51:00.1234567+00:00",
            "2026-11-26T21:00:00.123456789+18:00", "2026-11-26T21:00:00.000000001-18:00", "2026-11-26T21:00:00.1234567890Z",
            "2026-11-26T21:00:00+18:01", "2026-11-26T21:00:00-00:00", "2026-11-26T21:00:00+00:00", "2026-11-26T21:00:00+19:00",
            "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
            "2026-11-26T24:00:00Z", "2026-11-26T23:60:00Z", "2026-11-26T23:59:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+00:01", "0001-01-01T00:00:00.5+00:01", "9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59-00:01",
            "2026-11-26T21:00:00z", "2026-11-26t21:00:00Z", "2026-11-26T21:00:00", "2026-11-26T21:00:00.Z", "2026-11-26T21:00:00Z\n",
            "2026-11-26 21:00:00Z", "2026-11-26T21:00:00+0900", "+2026-11-26T21:00:00Z", "2026-11-26T21:00:00.5", "", "2026",
            "2026-11-26T21:00:00\u0663Z", "\u0662026-11-26T21:00:00Z",
        ];
        var random = new Random(14);
        var generated = Enumerable.Range(0, 2000).Select(_ =>
            $"{random.Next(0, 10000):D4}-{random.Next(0, 14):D2}-{random.Next(0, 33):D2}T{random.Next(0, 25):D2}:{random.Next(0, 61):D2}:{random.Next(0, 61):D2}"
            + (random.Next(3) == 0 ? "" : "." + random.NextInt64(0, 1_000_000_000).ToString("D9", System.Globalization.CultureInfo.InvariantCulture)[..random.Next(1, 10)])
            + (random.Next(3) == 0 ? "Z" : $"{(random.Next(2) == 0 ? '+' : '-')}{random.Next(0, 20):D2}:{random.Next(0, 61):D2}"));

        foreach (var text in forms.Concat(generated))
        {
            Timestamp? expected;
            try
            {
                expected = JsonParser.Default.Parse<Timestamp>(JsonSerializer.Serialize(text));
            }
            catch (InvalidProtocolBufferException)
            {
                expected = null;
            }

            var read = ProtoJsonShape.TryParseTimestamp(text, out var timestamp);

            (read ? timestamp : null).ShouldBe(expected, text);
        }
    }
}
