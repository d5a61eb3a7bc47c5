using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Dispatch;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Publishing;
using static Proactive.Tests.Shared.ContractEvents;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// Kind DELIVERED across the Dapr boundary: Tracker publishes it to its sidecar, Notifier takes it
/// from its own (with no episode id when the order was never late) and withdraws what still waits.
/// The survey is off: these tests are about the news.
/// </summary>
public sealed class DeliveredBoundaryTests : IAsyncLifetime
{
    private const string Order = "A-1001";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));

    private readonly FakeTimeProvider time = new(Now);
    private FakeSidecar trackerSidecar = null!;
    private FakeSidecar notifierSidecar = null!;
    private FakeTwilio twilio = null!;
    private FakeSendGrid sendGrid = null!;
    private DaprServiceHost<TrackerProgram> tracker = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;
    private StandInDaprd trackerDaprd = null!;
    private StandInDaprd notifierDaprd = null!;

    public async ValueTask InitializeAsync()
    {
        trackerSidecar = await FakeSidecar.StartAsync();
        notifierSidecar = await FakeSidecar.StartAsync();
        twilio = await FakeTwilio.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        tracker = DaprServiceHost<TrackerProgram>.Start(trackerSidecar, time);
        notifier = DaprServiceHost<NotifierProgram>.Start(
            notifierSidecar, time, new Dictionary<string, string?> { ["Proactive:Survey:Enabled"] = "false" }, twilio: twilio, sendGrid: sendGrid);
        trackerDaprd = new StandInDaprd(tracker.AppAddress);
        notifierDaprd = new StandInDaprd(notifier.AppAddress);
    }

    public async ValueTask DisposeAsync()
    {
        trackerDaprd.Dispose();
        notifierDaprd.Dispose();
        await tracker.DisposeAsync();
        await notifier.DisposeAsync();
        await trackerSidecar.DisposeAsync();
        await notifierSidecar.DisposeAsync();
        await twilio.DisposeAsync();
        await sendGrid.DisposeAsync();
    }

    /// <summary>What daprd hands Notifier for each publish of Tracker's.</summary>
    private List<JsonObject> PublishedAsCloudEvents() =>
        trackerSidecar.Published.Select(p => new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = p.Request.Metadata["cloudevent.id"],
            ["source"] = "tracker",
            ["type"] = p.Request.Metadata["cloudevent.type"],
            ["datacontenttype"] = p.Request.DataContentType,
            ["topic"] = p.Request.Topic,
            ["pubsubname"] = p.Request.PubsubName,
            ["data"] = JsonNode.Parse(p.Request.Data.ToStringUtf8()),
        }).ToList();

    private async Task ThroughTrackerAsync(params JsonObject[] events)
    {
        foreach (var e in events)
        {
            (await trackerDaprd.OnTopicEventAsync(TrackerBoundaryTests.TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        await tracker.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);
    }

    private Task<long?> NotifierSequenceAsync(string order = Order) =>
        notifier.Services.GetRequiredService<Database>().ReadAsync(
            c => c.ExecuteScalarAsync<long?>("SELECT last_sequence FROM notifier_orders WHERE order_id = @order", new { order }), TestContext.Current.CancellationToken);

    private Task<int> DispatchAsync() =>
        notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task ANeverLateOrderIsPublishedDeliveredAndNotifierTakesItWithoutAnEpisode()
    {
        var placed = OrderPlaced(Order, Now.AddHours(-3), Promise, id: "placed");
        placed["data"]!["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-11", ["postalCode"] = "04524" };
        await ThroughTrackerAsync(
            placed,
            ShipmentCreated(Order, "S-1", Now.AddHours(-2), Promise.AddHours(-3), id: "created"),
            Tracking(Order, "S-1", Now.AddMinutes(-10), "DELIVERED", id: "delivered"));

        var (request, _) = trackerSidecar.Published.ShouldHaveSingleItem();
        request.Topic.ShouldBe("notices");
        request.Metadata["cloudevent.type"].ShouldBe("proactive.delay.episode.v1");
        request.Metadata["cloudevent.id"].ShouldBe($"{Order}/1");
        var data = JsonNode.Parse(request.Data.ToStringUtf8())!.AsObject();
        data["kind"]!.GetValue<string>().ShouldBe("DELIVERED");
        (data["episodeId"]?.GetValue<string>() ?? "").ShouldBe("");
        DateTimeOffset.Parse(data["deliveredAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(Now.AddMinutes(-10));
        data["shipTo"]!.ToJsonString().ShouldBe("""{"country":"KR","region":"KR-11"}""");
        data["carrier"]!.GetValue<string>().ShouldBe("CJ Logistics");

        var delivered = PublishedAsCloudEvents().ShouldHaveSingleItem();
        (await notifierDaprd.OnTopicEventAsync("notices", delivered)).Status.ShouldBe(Status.Success);
        (await notifierDaprd.OnTopicEventAsync("notices", delivered)).Status.ShouldBe(Status.Success);
        await DispatchAsync();

        (await NotifierSequenceAsync()).ShouldBe(1);
        twilio.Requests.ShouldBe(0);
        sendGrid.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task NotifierTakesAnEmptyEpisodeIdOnlyWithKindDelivered()
    {
        JsonObject Change(string id, string order, string kind) => new()
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = "tracker",
            ["type"] = "proactive.delay.episode.v1",
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject
            {
                ["orderId"] = order,
                ["episodeId"] = "",
                ["sequence"] = "1",
                ["kind"] = kind,
                ["promisedBy"] = Ts(Promise),
                ["occurredAt"] = Ts(Now),
                ["deliveredAt"] = Ts(Now.AddMinutes(-30)),
                ["shipTo"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-11" },
                ["shipFrom"] = new JsonObject { ["country"] = "KR", ["region"] = "KR-41" },
                ["episodeCount"] = 0,
                ["carrier"] = "CJ Logistics",
                ["customer"] = KoreanCustomer(),
            },
        };

        (await notifierDaprd.OnTopicEventAsync("notices", Change("D-1/1", "D-1", "DELIVERED"))).Status.ShouldBe(Status.Success);
        (await notifierDaprd.OnTopicEventAsync("notices", Change("D-2/1", "D-2", "DETECTED"))).Status.ShouldBe(Status.Drop);

        (await NotifierSequenceAsync("D-1")).ShouldBe(1);
        (await NotifierSequenceAsync("D-2")).ShouldBeNull();
    }

    [Fact]
    public async Task ADeliveredChangeWithdrawsWhatStillWaitsForTheOrder()
    {
        await ThroughTrackerAsync(TrackerBoundaryTests.Scenario());
        var detected = PublishedAsCloudEvents().ShouldHaveSingleItem();
        (await notifierDaprd.OnTopicEventAsync("notices", detected)).Status.ShouldBe(Status.Success);

        // Before the dispatcher sends the warning, the order turns out delivered with no episode open.
        var delivered = detected.DeepClone().AsObject();
        delivered["id"] = $"{Order}/2";
        delivered["data"]!["sequence"] = "2";
        delivered["data"]!["kind"] = "DELIVERED";
        delivered["data"]!["deliveredAt"] = Ts(Now);
        (await notifierDaprd.OnTopicEventAsync("notices", delivered)).Status.ShouldBe(Status.Success);
        await DispatchAsync();

        twilio.Requests.ShouldBe(0);
        sendGrid.Requests.ShouldBe(0);
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        var notices = (await http.GetFromJsonAsync<JsonElement>($"/v1/orders/{Order}/notices", TestContext.Current.CancellationToken)).GetProperty("notices");
        notices.GetArrayLength().ShouldBe(2);
        notices.EnumerateArray().ShouldAllBe(n => n.GetProperty("status").GetString() == "suppressed"
            && n.GetProperty("why").GetString() == "withdrawn: the order was delivered before it was sent");
    }
}
