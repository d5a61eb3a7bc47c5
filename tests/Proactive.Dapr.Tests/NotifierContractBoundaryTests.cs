using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Dispatch;
using Proactive.Tests.Shared;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;

namespace Proactive.Dapr.Tests;

/// <summary>
/// A newer Tracker may publish a reason this Notifier does not know: the change is still taken
/// (not dropped, not retried) and the customer is told of a delay without detail.
/// </summary>
public sealed class NotifierContractBoundaryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private FakeSidecar sidecar = null!;
    private FakeTwilio twilio = null!;
    private FakeSendGrid sendGrid = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;
    private StandInDaprd daprd = null!;

    public async ValueTask InitializeAsync()
    {
        sidecar = await FakeSidecar.StartAsync();
        twilio = await FakeTwilio.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, time, twilio: twilio, sendGrid: sendGrid);
        daprd = new StandInDaprd(notifier.AppAddress);
    }

    public async ValueTask DisposeAsync()
    {
        daprd.Dispose();
        await notifier.DisposeAsync();
        await sidecar.DisposeAsync();
        await twilio.DisposeAsync();
        await sendGrid.DisposeAsync();
    }

    private static JsonObject Change(string orderId, string reason) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = $"{orderId}/1",
        ["source"] = "tracker",
        ["type"] = "proactive.delay.episode.v1",
        ["datacontenttype"] = "application/json",
        ["topic"] = "notices",
        ["pubsubname"] = "pubsub",
        ["data"] = new JsonObject
        {
            ["orderId"] = orderId,
            ["episodeId"] = $"{orderId}/delay-1",
            ["sequence"] = "1",
            ["kind"] = "DETECTED",
            ["reason"] = reason,
            ["promisedBy"] = "2026-11-26T12:00:00Z",
            ["estimatedDeliveryAt"] = "2026-11-28T03:00:00Z",
            ["customer"] = new JsonObject
            {
                ["customerId"] = $"C-{orderId}",
                ["phone"] = ContractEvents.KoreanPhone,
                ["locale"] = "en-US",
                ["timeZone"] = "Asia/Seoul",
            },
        },
    };

    [Fact]
    public async Task AReasonFromANewerTrackerIsToldAsADelayWithoutDetail()
    {
        (await daprd.OnTopicEventAsync("notices", Change("U-1", "HELD_BY_DRAGONS"))).Status.ShouldBe(Status.Success);
        (await daprd.OnTopicEventAsync("notices", Change("U-2", "STALLED"))).Status.ShouldBe(Status.Success);
        await notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

        twilio.Messages.Count.ShouldBe(2);
        twilio.Messages.ShouldContain(m => m.Body.Contains("Order U-1: your delivery is running late.", StringComparison.Ordinal));
        twilio.Messages.ShouldContain(m => m.Body.Contains("Order U-2: your parcel has had no tracking update for a while.", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        var notices = await http.GetFromJsonAsync<JsonElement>("/v1/orders/U-1/notices", TestContext.Current.CancellationToken);
        var notice = notices.GetProperty("notices").EnumerateArray().ShouldHaveSingleItem();
        notice.GetProperty("status").GetString().ShouldBe("sent");
        notice.GetProperty("reason").GetString().ShouldBe("DELAY_REASON_UNSPECIFIED");
    }
}
