using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
/// The survey under Dapr: a DELIVERED change as daprd delivers it asks the survey by email, and
/// Notifier's own HTTP port serves the email's answer link.
/// </summary>
public sealed partial class SurveyBoundaryTests : IAsyncLifetime
{
    private const string PublicBase = "https://hooks.shop.example";
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
        notifier = DaprServiceHost<NotifierProgram>.Start(
            sidecar, time, new Dictionary<string, string?> { ["Proactive:Webhooks:PublicBaseUrl"] = PublicBase }, twilio: twilio, sendGrid: sendGrid);
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

    [Fact]
    public async Task ADeliveredOrderIsAskedByEmailAndTheLinkIsServedOnTheHttpPort()
    {
        var delivered = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "D-1/delivered",
            ["source"] = "tracker",
            ["type"] = "proactive.delay.episode.v1",
            ["datacontenttype"] = "application/json",
            ["topic"] = "notices",
            ["pubsubname"] = "pubsub",
            ["data"] = JsonNode.Parse(Google.Protobuf.JsonFormatter.Default.Format(new DelayEpisodeChanged
            {
                OrderId = "D-1",
                EpisodeId = "",
                Sequence = 4,
                Kind = DelayEpisodeChanged.Types.Kind.Delivered,
                PromisedBy = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
                DeliveredAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                EpisodeCount = 1,
                Customer = new Contracts.Events.V1.Customer
                {
                    CustomerId = "C-D-1",
                    Email = ContractEvents.EnglishEmail,
                    Locale = "en-US",
                    TimeZone = "Asia/Seoul", // 10:00 there: not in quiet hours, which a survey email keeps too
                },
            })),
        };
        (await daprd.OnTopicEventAsync("notices", delivered)).Status.ShouldBe(Status.Success);
        await notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

        var mail = sendGrid.Mails.ShouldHaveSingleItem();
        mail.Subject.ShouldBe("How was the delivery of order D-1?");
        var link = Link().Matches(mail.Text).Select(m => m.Value).ToList();
        link.Count.ShouldBe(5);

        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        using var page = await http.GetAsync(new Uri(link[4]).PathAndQuery, TestContext.Current.CancellationToken);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("You gave us 5 out of 5.");
        using var bad = await http.GetAsync("/v1/survey/not.valid", TestContext.Current.CancellationToken);
        bad.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [GeneratedRegex(@"https://hooks\.shop\.example/v1/survey/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")]
    private static partial Regex Link();
}
