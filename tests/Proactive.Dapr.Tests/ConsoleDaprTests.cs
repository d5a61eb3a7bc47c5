using System.Net;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Contracts.Tracker.V1;
using Proactive.CxConsole;
using Proactive.Notifier.Dispatch;
using Proactive.ServiceDefaults.Auth;
using Proactive.Tests.Shared;
using Proactive.Tracker.Publishing;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// The CX console served by Notifier in the Dapr hosting, on PostgreSQL: the order's events reach
/// Tracker and its episode reaches Notifier through AppCallback as daprd delivers them; Notifier's
/// console reads Tracker's list and timeline over real gRPC on loopback with a key of its own
/// (and "dapr-app-id" metadata, as through a sidecar), and a browser signs in with a cookie.
/// </summary>
public sealed partial class ConsoleDaprTests : IAsyncLifetime
{
    private const string Order = "A-1001";
    private static readonly string ConsoleKey = ApiKey.Mint();
    private static readonly string CxKey = ApiKey.Mint();
    private static readonly string ShopKey = ApiKey.Mint();

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private FakeSidecar trackerSidecar = null!;
    private FakeSidecar notifierSidecar = null!;
    private FakeTwilio twilio = null!;
    private FakeSendGrid sendGrid = null!;
    private DaprServiceHost<TrackerProgram> tracker = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        trackerSidecar = await FakeSidecar.StartAsync();
        notifierSidecar = await FakeSidecar.StartAsync();
        twilio = await FakeTwilio.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        tracker = DaprServiceHost<TrackerProgram>.Start(trackerSidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Store"] = "Postgres",
            ["ConnectionStrings:Proactive"] = await TestPostgres.CreateDatabaseAsync(),
            ["Proactive:Auth:Mode"] = "Required",
            ["Proactive:Auth:ApiKeys:notifier-console:Hash"] = ApiKey.Hash(ConsoleKey),
            ["Proactive:Auth:ApiKeys:notifier-console:Scopes"] = Scopes.OrdersRead,
            ["Proactive:Auth:ApiKeys:shop:Hash"] = ApiKey.Hash(ShopKey),
            ["Proactive:Auth:ApiKeys:shop:Scopes"] = Scopes.EventsWrite,
        });
        notifier = DaprServiceHost<NotifierProgram>.Start(
            notifierSidecar,
            time,
            new Dictionary<string, string?>
            {
                ["Proactive:Store"] = "Postgres",
                ["ConnectionStrings:Proactive"] = await TestPostgres.CreateDatabaseAsync(),
                ["Proactive:Auth:Mode"] = "Required",
                ["Proactive:Auth:ApiKeys:cx:Hash"] = ApiKey.Hash(CxKey),
                ["Proactive:Auth:ApiKeys:cx:Scopes"] = "orders:read notices:read voice:read",
                ["Proactive:Console:Tracker:Address"] = tracker.AppAddress,
                ["Proactive:Console:Tracker:AppId"] = "tracker",
                ["Proactive:Console:Tracker:ApiKey"] = ConsoleKey,
            },
            twilio,
            sendGrid);
    }

    public async ValueTask DisposeAsync()
    {
        await tracker.DisposeAsync();
        await notifier.DisposeAsync();
        await trackerSidecar.DisposeAsync();
        await notifierSidecar.DisposeAsync();
        await twilio.DisposeAsync();
        await sendGrid.DisposeAsync();
    }

    /// <summary>The contract events of a late order through Tracker, its episode through Notifier, and the notices sent.</summary>
    private async Task LateOrderToldAsync()
    {
        using var trackerDaprd = new StandInDaprd(tracker.AppAddress);
        using var notifierDaprd = new StandInDaprd(notifier.AppAddress);
        foreach (var e in TrackerBoundaryTests.Scenario(Order))
        {
            (await trackerDaprd.OnTopicEventAsync(TrackerBoundaryTests.TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        await tracker.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(Ct);
        foreach (var published in trackerSidecar.Published)
        {
            var cloudEvent = new System.Text.Json.Nodes.JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = published.Request.Metadata["cloudevent.id"],
                ["source"] = "tracker",
                ["type"] = published.Request.Metadata["cloudevent.type"],
                ["datacontenttype"] = published.Request.DataContentType,
                ["topic"] = published.Request.Topic,
                ["pubsubname"] = published.Request.PubsubName,
                ["data"] = System.Text.Json.Nodes.JsonNode.Parse(published.Request.Data.ToStringUtf8()),
            };
            (await notifierDaprd.OnTopicEventAsync("notices", cloudEvent)).Status.ShouldBe(Status.Success);
        }

        await notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(Ct);
        twilio.Messages.ShouldHaveSingleItem();
    }

    private HttpClient Browser() =>
        new(new CookieContainerHandler { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false } }) { BaseAddress = new Uri(notifier.HttpAddress) };

    private static async Task SignInAsync(HttpClient browser, string key)
    {
        var form = await browser.GetStringAsync("/console/sign-in", Ct);
        var fields = new Dictionary<string, string> { ["Key"] = key, ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value };
        using var signIn = await browser.PostAsync("/console/sign-in", new FormUrlEncodedContent(fields), Ct);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signIn.Headers.Location!.OriginalString.ShouldBe("/console");
    }

    [Fact]
    public async Task NotifiersConsoleListsTheLateOrderFromTrackerAndShowsItsTimelineAndNotices()
    {
        await LateOrderToldAsync();
        using var browser = Browser();

        await SignInAsync(browser, CxKey);
        var now = await browser.GetStringAsync("/console", Ct);
        var order = await browser.GetStringAsync($"/console/order?id={Order}", Ct);
        var incidents = await browser.GetAsync("/console/incidents", Ct);
        var voice = await browser.GetAsync("/console/voice", Ct);

        now.ShouldContain($"href=\"/console/order?id={Order}\"");
        now.ShouldContain("<p class=\"counts\" id=\"counts\">1 late ");
        now.ShouldNotContain("/console/backtest"); // the standalone host's page only
        order.ShouldContain("id=\"timeline-title\"");
        Regex.Matches(order, "<td>proactive\\.").Count.ShouldBe(TrackerBoundaryTests.Scenario(Order).Length);
        order.ShouldContain("ETA slipped");
        order.ShouldContain("id=\"notices\"");
        order.ShouldContain("<span class=\"badge sent\">sent</span>");
        order.ShouldNotContain(ContractEvents.KoreanPhone);
        order.ShouldNotContain(ContractEvents.KoreanEmail);
        incidents.StatusCode.ShouldBe(HttpStatusCode.OK);
        voice.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithoutASessionEveryConsolePageRedirectsToSignInAndTheCookieOpensNoApi()
    {
        using var browser = Browser();

        foreach (var page in new[] { "/console", $"/console/order?id={Order}", "/console/incidents", "/console/voice" })
        {
            using var response = await browser.GetAsync(page, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, page);
            response.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in", page);
        }

        await SignInAsync(browser, CxKey);
        using var api = await browser.GetAsync($"/v1/orders/{Order}/notices", Ct);
        api.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TrackerRefusesTheConsolesCallWithoutItsKeyOrWithAKeyLackingOrdersRead()
    {
        await LateOrderToldAsync();
        using var channel = GrpcChannel.ForAddress(tracker.AppAddress);
        GrpcTrackerView View(string? key) => this.View(channel, key);

        var withoutKey = await Should.ThrowAsync<RpcException>(() => View(null).ListWatchedOrdersAsync(new ListWatchedOrdersRequest(), Ct));
        var wrongKey = await Should.ThrowAsync<RpcException>(() => View(ApiKey.Mint()).ListOrderEventsAsync(new ListOrderEventsRequest { OrderId = Order }, Ct));
        var shopKey = await Should.ThrowAsync<RpcException>(() => View(ShopKey).ListWatchedOrdersAsync(new ListWatchedOrdersRequest(), Ct));
        var list = await View(ConsoleKey).ListWatchedOrdersAsync(new ListWatchedOrdersRequest { IncludeOverview = true }, Ct);

        withoutKey.StatusCode.ShouldBe(StatusCode.Unauthenticated);
        wrongKey.StatusCode.ShouldBe(StatusCode.Unauthenticated);
        shopKey.StatusCode.ShouldBe(StatusCode.PermissionDenied);
        list.Orders.ShouldHaveSingleItem().OrderId.ShouldBe(Order);
        list.Late.ShouldBe(1);
    }

    private GrpcTrackerView View(GrpcChannel channel, string? key) =>
        new(new OrderTracking.OrderTrackingClient(channel), Options.Create(new ConsoleTrackerOptions { Address = tracker.AppAddress, AppId = "tracker", ApiKey = key }), time);

    [Fact]
    public async Task TheListPagesWithTrackersTokenAndCountsTheWholeList()
    {
        using var trackerDaprd = new StandInDaprd(tracker.AppAddress);
        foreach (var order in new[] { "P-1", "P-2", "P-3" })
        {
            foreach (var e in TrackerBoundaryTests.Scenario(order))
            {
                (await trackerDaprd.OnTopicEventAsync(TrackerBoundaryTests.TopicOf(e), e)).Status.ShouldBe(Status.Success);
            }
        }

        using var channel = GrpcChannel.ForAddress(tracker.AppAddress);
        var view = View(channel, ConsoleKey);

        var first = await view.ListWatchedOrdersAsync(new ListWatchedOrdersRequest { PageSize = 2, State = "late" }, Ct);
        var second = await view.ListWatchedOrdersAsync(new ListWatchedOrdersRequest { PageSize = 2, State = "late", PageToken = first.NextPageToken }, Ct);
        var atRisk = await view.ListWatchedOrdersAsync(new ListWatchedOrdersRequest { State = "at_risk" }, Ct);

        first.Orders.Count.ShouldBe(2);
        first.NextPageToken.ShouldNotBeEmpty();
        second.Orders.ShouldHaveSingleItem();
        second.NextPageToken.ShouldBeEmpty();
        first.Orders.Concat(second.Orders).Select(o => o.OrderId).ShouldBe(["P-1", "P-2", "P-3"], ignoreOrder: true);
        (first.Late, second.Late).ShouldBe((3, 3));
        first.ByReason.ShouldHaveSingleItem().ShouldBe(new ReasonCount { Reason = "ETA_SLIP", Orders = 3 });
        first.Carriers.ShouldBeEmpty(); // the overview only when asked
        atRisk.Orders.ShouldBeEmpty();
    }

    [Fact]
    public async Task ABadFilterIsRefusedNamingTheField()
    {
        using var channel = GrpcChannel.ForAddress(tracker.AppAddress);
        var client = new OrderTracking.OrderTrackingClient(channel);
        var key = new Metadata { { "authorization", $"ApiKey {ConsoleKey}" } };

        var refused = await Should.ThrowAsync<RpcException>(() => client.ListWatchedOrdersAsync(
            new ListWatchedOrdersRequest { State = "sleepy", PageToken = "nope", PageSize = 500 }, key, cancellationToken: Ct).ResponseAsync);

        refused.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        refused.Status.Detail.ShouldContain("state:");
        refused.Status.Detail.ShouldContain("page_token:");
        refused.Status.Detail.ShouldContain("page_size:");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
