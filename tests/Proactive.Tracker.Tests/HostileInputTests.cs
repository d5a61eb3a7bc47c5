using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.ServiceDefaults.CloudEvents;
using Proactive.ServiceDefaults.Dapr;
using Proactive.Tests.Shared;
using Proactive.Tracker.Events;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Tracker.Tests;

/// <summary>The reader against hostile and careless input: every fault named, nothing thrown, whatever the hosting.</summary>
public class HostileInputTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly EventTimeWindow Window = EventTimeWindow.Around(Now);

    public static TheoryData<string> Cases => new(HostileEvents.Whys);

    private static CloudEventReader.Result ReadRaw(string json, string topic, EventTimeWindow? window = null)
    {
        using var document = JsonDocument.Parse(json);
        return CloudEventReader.Read(document.RootElement, topic, window ?? Window);
    }

    /// <summary>What the Dapr Tracker decides: the SDK's event built from daprd's fields, then the reader; a field the SDK refuses is named too.</summary>
    private static IReadOnlyCollection<string> RefusedUnderDapr(HostileEvent hostile)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = DaprCloudEvents.ToCloudEvent(hostile.ToDapr());
        }
        catch (ArgumentException e)
        {
            return [.. CloudEventFormat.AttributesOf(e)];
        }

        var rejection = CloudEventReader.Read(cloudEvent, hostile.Topic, Window).Rejection;
        rejection.ShouldNotBeNull(hostile.Why);
        return [.. rejection.Errors.Keys];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryHostileEventIsRefusedNamingTheField(string why)
    {
        var hostile = HostileEvents.Named(why, Now);

        var rejection = ReadRaw(hostile.Structured(), hostile.Topic).Rejection;

        rejection.ShouldNotBeNull(why);
        rejection.Errors.Keys.ShouldContain(hostile.Field, $"{why}: {rejection.Summary}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryHostileEventIsRefusedAsDaprDeliversItToo(string why)
    {
        var hostile = HostileEvents.Named(why, Now);
        if (hostile.JsonOnly)
        {
            return;
        }

        RefusedUnderDapr(hostile).ShouldContain(hostile.Field, why);
    }

    [Fact]
    public void RefusalsNeverRepeatTheValueAtFault()
    {
        foreach (var hostile in HostileEvents.Around(Now).Where(h => !h.IsProtobuf))
        {
            var summary = ReadRaw(hostile.Structured(), hostile.Topic).Rejection!.Summary;

            summary.ShouldNotContain("\0", customMessage: hostile.Why);
            summary.ShouldNotContain("Minji", customMessage: hostile.Why);
            summary.Length.ShouldBeLessThan(1000, hostile.Why);
        }
    }

    [Fact]
    public void OccurredAtMayBeAheadOfTheClockByTheSkewAndNoMore()
    {
        var skew = Window.MaxClockSkew;

        Events.Read(OrderPlaced("A-1", Now + skew, Now + skew + TimeSpan.FromDays(3)), now: Now).Rejection.ShouldBeNull();

        var ahead = Now + skew + TimeSpan.FromSeconds(1);
        Events.Read(OrderPlaced("A-1", ahead, ahead.AddDays(3)), now: Now).Rejection!.Errors.Keys.ShouldBe(["data.occurredAt"]);
    }

    [Fact]
    public void AnEventTooFarAheadIsAcceptedOnceTheClockHasCaughtUp()
    {
        var time = new FakeTimeProvider(Now);
        var intake = new EventIntake(time, new FixedOptions(new IngestOptions { MaxClockSkew = TimeSpan.FromHours(1) }));
        using var document = JsonDocument.Parse(OrderPlaced("A-1", Now.AddHours(2), Now.AddDays(3)).ToJsonString());

        intake.Read(document.RootElement, "orders").Rejection!.Errors.Keys.ShouldBe(["data.occurredAt"]);
        time.Advance(TimeSpan.FromHours(1));
        intake.Read(document.RootElement, "orders").Rejection.ShouldBeNull();
    }

    [Fact]
    public void PromisesAndEstimatesMayBeAsFarAsTheHorizonEitherSide()
    {
        var horizon = Window.MaxHorizon;
        var placed = Now.AddHours(-1);

        Events.Read(OrderPlaced("A-1", placed, placed + horizon), now: Now).Rejection.ShouldBeNull();
        Events.Read(OrderPlaced("A-1", placed, placed - horizon), now: Now).Rejection.ShouldBeNull();
        Events.Read(OrderPlaced("A-1", placed, placed + horizon + TimeSpan.FromSeconds(1)), now: Now).Rejection!.Errors.Keys.ShouldBe(["data.promisedBy"]);
        Events.Read(Tracking("A-1", "S-1", placed, "IN_TRANSIT", placed - horizon - TimeSpan.FromSeconds(1)), now: Now).Rejection!.Errors.Keys
            .ShouldBe(["data.estimatedDeliveryAt"]);
    }

    [Theory]
    [InlineData("A-1001")]
    [InlineData("shop:eu_west.order-42")]
    [InlineData("0")]
    public void IdsOfTheSafeSetAreAccepted(string orderId)
    {
        Events.Read(OrderPlaced(orderId, Now.AddHours(-1), Now.AddDays(2))).Rejection.ShouldBeNull();
        Events.Read(OrderPlaced(new string('a', ContractLimits.MaxIdLength), Now.AddHours(-1), Now.AddDays(2))).Rejection.ShouldBeNull();
    }

    [Fact]
    public void DataThatIsNotUtf8UnderDaprIsRefusedNamingData()
    {
        var hostile = HostileEvents.Named("promise in year 9999", Now);
        var request = hostile.ToDapr();
        request.Data = Google.Protobuf.ByteString.CopyFrom([.. Encoding.UTF8.GetBytes("{\"orderId\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);

        CloudEventReader.Read(DaprCloudEvents.ToCloudEvent(request), "orders", Window).Rejection!.Errors.Keys.ShouldBe(["data"]);
    }

    public static TheoryData<string, string> EnvelopeFaults => new()
    {
        { """{"id":"e1","source":"s","type":"proactive.order.placed.v1","data":{}}""", "specversion" },
        { """{"specversion":"1.0","id":7,"source":"s","type":"proactive.order.placed.v1","data":{}}""", "id" },
        { """{"specversion":"1.0","id":"e1","source":"s","type":"proactive.order.placed.v1","Shop_Region":"eu","data":{}}""", "Shop_Region" },
        { """{"specversion":"1.0","id":"e1","source":"s","type":"proactive.order.placed.v1","region":{"eu":1},"data":{}}""", "region" },
        { """{"specversion":"1.0","id":"e1","source":"s","type":"proactive.order.placed.v1","data":{},"data_base64":"AA=="}""", "data" },
        { """{"specversion":"1.0","id":"e1","source":"s","type":"proactive.order.placed.v1","datacontenttype":"application/protobuf","data_base64":"not base64!"}""", "data_base64" },
        { """{"specversion":"1.0","id":"e1","type":"proactive.order.placed.v1","data":{}}""", "source" },
    };

    [Theory]
    [MemberData(nameof(EnvelopeFaults))]
    public void WhatTheCloudEventsSdkRefusesIsNamedByAttribute(string json, string field)
    {
        var rejection = ReadRaw(json, "orders").Rejection;

        rejection.ShouldNotBeNull();
        rejection.Errors.Keys.ShouldContain(field, rejection.Summary);
    }

    [Fact]
    public void AMalformedTraceParentIsIgnoredAsW3CSays()
    {
        var e = OrderPlaced("A-1", Now.AddHours(-1), Now.AddDays(2));
        e["traceparent"] = "not-a-trace";

        Events.Valid(e).TraceParent.ShouldBeNull();
    }

    [Fact]
    public void AnOrdinaryEventStillReadsTheSameAsDaprDeliversIt()
    {
        var e = OrderPlaced("A-1", Now.AddHours(-1), Now.AddDays(2), id: "ordinary");
        e["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var request = new global::Dapr.AppCallback.Autogen.Grpc.v1.TopicEventCERequest
        {
            SpecVersion = "1.0",
            Id = "ordinary",
            Source = "shop-orders",
            Type = "proactive.order.placed.v1",
            DataContentType = "application/json",
            Data = Google.Protobuf.ByteString.CopyFromUtf8(e["data"]!.ToJsonString()),
            Extensions = Google.Protobuf.JsonParser.Default.Parse<Google.Protobuf.WellKnownTypes.Struct>(
                new JsonObject { ["traceparent"] = e["traceparent"]!.DeepClone(), ["time"] = e["time"]!.DeepClone(), ["pubsubname"] = "pubsub" }.ToJsonString()),
        };

        var viaDapr = CloudEventReader.Read(DaprCloudEvents.ToCloudEvent(request), "orders", Window).Event!;
        var viaHttp = Events.Read(e, now: Now).Event!;

        viaDapr.ShouldBe(viaHttp with { Data = viaDapr.Data });
        viaDapr.Data.ShouldBe(viaHttp.Data);
    }

    [Fact]
    public void ABulkEntryGivenAsBytesIsReadByTheSdkAndADuplicateKeyIsNotSilentlyResolved()
    {
        var e = OrderPlaced("A-1", Now.AddHours(-1), Now.AddDays(2), id: "bytes-1");
        var entry = new global::Dapr.AppCallback.Autogen.Grpc.v1.TopicEventBulkRequestEntry
        {
            EntryId = "entry-0",
            ContentType = "application/cloudevents+json",
            Bytes = Google.Protobuf.ByteString.CopyFromUtf8(e.ToJsonString()),
        };

        CloudEventReader.Read(DaprCloudEvents.ToCloudEvent(entry), "orders", Window).Event!.Id.ShouldBe("bytes-1");

        entry.Bytes = Google.Protobuf.ByteString.CopyFromUtf8(e.ToJsonString().Replace("\"id\":\"bytes-1\"", "\"id\":\"bytes-1\",\"id\":\"bytes-2\"", StringComparison.Ordinal));
        Should.Throw<JsonException>(() => DaprCloudEvents.ToCloudEvent(entry));
    }

    private sealed class FixedOptions(IngestOptions value) : IOptionsMonitor<IngestOptions>
    {
        public IngestOptions CurrentValue => value;

        public IngestOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<IngestOptions, string?> listener) => null;
    }
}
