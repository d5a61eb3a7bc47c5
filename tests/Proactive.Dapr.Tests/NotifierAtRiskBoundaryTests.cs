using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Dispatch;
using Proactive.Tests.Shared;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;

namespace Proactive.Dapr.Tests;

/// <summary>
/// A PREDICTED_LATE episode change as daprd delivers it to Notifier: the prediction's fields cross
/// the boundary in the CloudEvent's JSON data, and the customer hears "may arrive later" — or,
/// for the record only, no one hears anything.
/// </summary>
public sealed class NotifierAtRiskBoundaryTests : IAsyncLifetime
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

    /// <summary>The CloudEvent daprd builds around Tracker's publish of a predicted-late episode.</summary>
    private static JsonObject Predicted(string orderId, double probability, bool recordOnly) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = $"{orderId}/1",
        ["source"] = "tracker",
        ["type"] = "proactive.delay.episode.v1",
        ["datacontenttype"] = "application/json",
        ["topic"] = "notices",
        ["pubsubname"] = "pubsub",
        ["data"] = JsonNode.Parse(Google.Protobuf.JsonFormatter.Default.Format(new DelayEpisodeChanged
        {
            OrderId = orderId,
            EpisodeId = $"{orderId}/delay-1",
            Sequence = 1,
            Kind = DelayEpisodeChanged.Types.Kind.Detected,
            Reason = DelayReason.PredictedLate,
            PromisedBy = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero)),
            EstimatedDeliveryAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero)),
            Customer = new Contracts.Events.V1.Customer
            {
                CustomerId = $"C-{orderId}",
                Phone = ContractEvents.KoreanPhone,
                Email = ContractEvents.KoreanEmail,
                Locale = "ko-KR",
                TimeZone = "Asia/Seoul",
            },
            PredictedProbability = probability,
            RecordOnly = recordOnly,
        })),
    };

    private async Task<List<JsonElement>> NoticesAsync(string orderId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        return (await http.GetFromJsonAsync<JsonElement>($"/v1/orders/{orderId}/notices", TestContext.Current.CancellationToken))
            .GetProperty("notices").EnumerateArray().ToList();
    }

    [Fact]
    public async Task APredictedLateEpisodeIsToldAsAtRiskAndARecordOnlyOneIsNot()
    {
        var told = Predicted("P-1", 0.76, recordOnly: false);
        told["data"]!["predictedProbability"]!.GetValue<double>().ShouldBe(0.76);
        (await daprd.OnTopicEventAsync("notices", told)).Status.ShouldBe(Status.Success);
        (await daprd.OnTopicEventAsync("notices", Predicted("P-2", 0.93, recordOnly: true))).Status.ShouldBe(Status.Success);
        await notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

        twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("약속드린 날짜보다 늦게 도착할 수도 있어요. 지금 예상 도착일은 11월 28일(토)쯤이에요.");
        sendGrid.Mails.ShouldHaveSingleItem().Subject.ShouldBe("주문 P-1 배송 지연 가능성 안내");
        (await NoticesAsync("P-1")).ShouldAllBe(n => n.GetProperty("kind").GetString() == "AT_RISK" && n.GetProperty("status").GetString() == "sent"
            && n.GetProperty("predictedProbability").GetDouble() == 0.76);
        var recorded = await NoticesAsync("P-2");
        recorded.Count.ShouldBe(2);
        recorded.ShouldAllBe(n => n.GetProperty("status").GetString() == "suppressed" && n.GetProperty("predictedProbability").GetDouble() == 0.93
            && n.GetProperty("why").GetString() == "prediction mode internal: recorded, the customer is not told");
    }
}
