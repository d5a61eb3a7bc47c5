using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Dispatch;
using Proactive.Tests.Shared;
using Proactive.Tracker.Publishing;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// Notifier on its own (Dapr hosting, PostgreSQL) serves Twilio's status callback on its HTTP port.
/// Its public address is a proxy's (https://proactive.example.com): the test plays the proxy,
/// passing the request Twilio signed for the public URL on to Notifier's own port.
/// </summary>
public sealed class NotifierStatusCallbackTests : IAsyncLifetime
{
    private const string PublicBaseUrl = "https://proactive.example.com";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private readonly HttpClient http = new();
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
        var database = await TestPostgres.CreateDatabaseAsync();
        trackerSidecar = await FakeSidecar.StartAsync();
        notifierSidecar = await FakeSidecar.StartAsync();
        twilio = await FakeTwilio.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        tracker = DaprServiceHost<TrackerProgram>.Start(trackerSidecar, time);
        notifier = DaprServiceHost<NotifierProgram>.Start(
            notifierSidecar,
            time,
            new Dictionary<string, string?>
            {
                ["Proactive:Store"] = "Postgres",
                ["ConnectionStrings:Proactive"] = database,
                ["Proactive:Webhooks:PublicBaseUrl"] = PublicBaseUrl,
            },
            twilio: twilio,
            sendGrid: sendGrid);
        trackerDaprd = new StandInDaprd(tracker.AppAddress);
        notifierDaprd = new StandInDaprd(notifier.AppAddress);
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        trackerDaprd?.Dispose();
        notifierDaprd?.Dispose();
        if (tracker is not null)
        {
            await tracker.DisposeAsync();
        }

        if (notifier is not null)
        {
            await notifier.DisposeAsync();
        }

        await (trackerSidecar?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (notifierSidecar?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (twilio?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (sendGrid?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    [Fact]
    public async Task ASignedDeliveredCallbackOnNotifiersHttpPortMovesTheNoticeToDelivered()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var e in TrackerBoundaryTests.Scenario())
        {
            (await trackerDaprd.OnTopicEventAsync(TrackerBoundaryTests.TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        await tracker.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(ct);
        foreach (var published in trackerSidecar.Published)
        {
            var change = new JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = published.Request.Metadata["cloudevent.id"],
                ["source"] = "tracker",
                ["type"] = published.Request.Metadata["cloudevent.type"],
                ["datacontenttype"] = published.Request.DataContentType,
                ["data"] = JsonNode.Parse(published.Request.Data.ToStringUtf8()),
            };
            (await notifierDaprd.OnTopicEventAsync("notices", change)).Status.ShouldBe(Status.Success);
        }

        await notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(ct);
        var sms = twilio.Messages.ShouldHaveSingleItem();
        sms.StatusCallback!.ShouldStartWith($"{PublicBaseUrl}/v1/webhooks/twilio/status?notice=");

        var pathAndQuery = sms.StatusCallback![PublicBaseUrl.Length..];
        using (var forged = await TwilioSigning.PostAsync(http, notifier.HttpAddress + pathAndQuery, sms.StatusCallback, FakeTwilio.StatusForm(sms, "delivered"), "not-the-token", ct))
        {
            forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using (var response = await TwilioSigning.PostAsync(http, notifier.HttpAddress + pathAndQuery, sms.StatusCallback, FakeTwilio.StatusForm(sms, "delivered"), FakeTwilio.AuthToken, ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var notices = (await http.GetFromJsonAsync<JsonElement>($"{notifier.HttpAddress}/v1/orders/A-1001/notices", ct)).GetProperty("notices");
        var notice = notices.EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        notice.GetProperty("status").GetString().ShouldBe("delivered");
        notice.GetProperty("receipts").EnumerateArray().ShouldHaveSingleItem().GetProperty("status").GetString().ShouldBe("delivered");
    }
}
