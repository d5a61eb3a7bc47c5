using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Contracts.Tracker.V1;
using Proactive.CxConsole;
using Proactive.CxConsole.Backtest;
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

    private readonly string reports = Path.Combine(Path.GetTempPath(), "proactive-tests", "notifier-replay-" + Guid.NewGuid().ToString("N"));
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
                ["Proactive:Console:ReplayReports"] = reports,
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
        if (Directory.Exists(reports))
        {
            Directory.Delete(reports, recursive: true);
        }
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
        now.ShouldContain("<a href=\"/console/backtest\""); // the menu: Backtest is the console's, in both hostings
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

        foreach (var page in new[] { "/console", $"/console/order?id={Order}", "/console/incidents", "/console/voice", "/console/backtest", "/console/backtest?report=march" })
        {
            using var response = await browser.GetAsync(page, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, page);
            response.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in", page);
        }

        using var upload = await browser.PostAsync("/console/backtest", new MultipartFormDataContent(), Ct);
        upload.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        upload.StatusCode.ShouldNotBe(HttpStatusCode.UnprocessableEntity); // never read

        await SignInAsync(browser, CxKey);
        using var api = await browser.GetAsync($"/v1/orders/{Order}/notices", Ct);
        api.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    /// <summary>A report.json as the replay command writes it (camelCase, indented), with figures a test can find.</summary>
    private static string ReportJson(int orders, double precisionAt50) => JsonSerializer.Serialize(
        new ReplayReport(
            Events: 40, EventsAccepted: 39, Orders: orders, OrdersWithoutTerms: 0, Delivered: 10, Cancelled: 1, Late: 4,
            LateToldBeforePromise: 3, ShareOfLateToldBeforePromise: 0.75, LateToldAfterPromise: 1, LateNeverTold: 0,
            LeadTimeHours: new LeadTimes(4, 2.5, 7.25, 20.0),
            OrdersByNoticesSent: new Dictionary<string, int> { ["0"] = 8, ["1"] = 4 },
            NoticesSentByReason: new Dictionary<string, int> { ["CARRIER_EXCEPTION"] = 2, ["ETA_SLIP"] = 3 },
            NoticeLinesByStatus: new Dictionary<string, int> { ["SENT"] = 9 },
            WarningsProvedWrong: 1, BadLines: 0, BadLineDetails: [],
            FirstEventAt: "2026-03-01T00:00:00.000Z", ClockEndedAt: "2026-03-09T00:00:00.000Z",
            ThresholdSweep: new SweepReport(0.5, 120, [new SweepRow(0.5, 5, 4, precisionAt50, 3, 0.75, 7.25), new SweepRow(0.6, 3, 3, 1.0, 2, 0.5, 5.0)]),
            LeadTimeHistogram: LeadTimeBin.Of([2.5, 7.25, 13, 20.0])),
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient browser, string content)
    {
        var page = await browser.GetStringAsync("/console/backtest", Ct);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Token().Match(page).Groups[1].Value), "__RequestVerificationToken" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "upload", ReplayReports.FileName);
        return await browser.PostAsync("/console/backtest", form, Ct);
    }

    [Fact]
    public async Task NotifiersConsoleShowsAReplayReportFromItsFolderAndRefusesAMalformedUploadNamingTheField()
    {
        Directory.CreateDirectory(Path.Combine(reports, "march"));
        await File.WriteAllTextAsync(Path.Combine(reports, "march", ReplayReports.FileName), ReportJson(orders: 12, precisionAt50: 0.8), Ct);
        using var browser = Browser();
        await SignInAsync(browser, CxKey);

        var listed = await browser.GetStringAsync("/console/backtest", Ct);
        using var picked = await browser.GetAsync("/console/backtest?report=march", Ct);
        using var outside = await browser.GetAsync("/console/backtest?report=..%2F..%2Fetc", Ct);
        using var good = await UploadAsync(browser, ReportJson(orders: 31, precisionAt50: 0.6));
        using var missing = await UploadAsync(browser, ReportJson(31, 0.6).Replace("\"orders\": 31,", "", StringComparison.Ordinal));
        using var negative = await UploadAsync(browser, ReportJson(-3, 0.6));

        listed.ShouldContain("<option value=\"march\" selected=\"selected\">march (");
        picked.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await picked.Content.ReadAsStringAsync(Ct);
        page.ShouldContain("Report: march");
        Regex.IsMatch(page, "<th scope=\"row\">Orders</th><td class=\"num\">12</td>").ShouldBeTrue();
        Regex.IsMatch(page, "<th scope=\"row\">0.50 \\*</th>\\s*<td class=\"num\">5</td><td class=\"num\">0.800</td>").ShouldBeTrue();
        page.ShouldContain("<tr><th scope=\"row\">12.0</th><td class=\"num\">24.0</td><td class=\"num\">2</td></tr>");
        page.ShouldContain("<th scope=\"row\">ETA_SLIP</th><td class=\"num\">3</td>");
        Regex.Matches(page, "<canvas [^>]*aria-describedby=\"(outcomes|histogram|reasons|sweep)\"").Count.ShouldBe(4);
        (await outside.Content.ReadAsStringAsync(Ct)).ShouldContain("report: no report named &quot;../../etc&quot; in the reports folder.");
        good.StatusCode.ShouldBe(HttpStatusCode.OK);
        Regex.IsMatch(await good.Content.ReadAsStringAsync(Ct), "<th scope=\"row\">Orders</th><td class=\"num\">31</td>").ShouldBeTrue();
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await missing.Content.ReadAsStringAsync(Ct)).ShouldContain("missing required properties including: &#x27;orders&#x27;");
        negative.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await negative.Content.ReadAsStringAsync(Ct)).ShouldContain("report.json at $.orders: a count, must not be negative.");
        Directory.EnumerateFiles(reports, "*", SearchOption.AllDirectories).ShouldHaveSingleItem(); // the upload is never stored
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

    [Fact]
    public async Task ValuesNoEventCouldHoldAreRefusedNamingTheFieldOnPostgresNotAnInternalError()
    {
        using var channel = GrpcChannel.ForAddress(tracker.AppAddress);
        var client = new OrderTracking.OrderTrackingClient(channel);
        var key = new Metadata { { "authorization", $"ApiKey {ConsoleKey}" } };

        // PostgreSQL refuses a NUL in text: these would fail in the store (Internal) if they got there.
        var carrier = await Should.ThrowAsync<RpcException>(() => client.ListWatchedOrdersAsync(
            new ListWatchedOrdersRequest { Carrier = "CJ\0" }, key, cancellationToken: Ct).ResponseAsync);
        var events = await Should.ThrowAsync<RpcException>(() => client.ListOrderEventsAsync(
            new ListOrderEventsRequest { OrderId = "A\0B" }, key, cancellationToken: Ct).ResponseAsync);
        var order = await Should.ThrowAsync<RpcException>(() => client.GetOrderAsync(
            new GetOrderRequest { OrderId = new string('A', 10_000) }, key, cancellationToken: Ct).ResponseAsync);

        (carrier.StatusCode, events.StatusCode, order.StatusCode).ShouldBe((StatusCode.InvalidArgument, StatusCode.InvalidArgument, StatusCode.InvalidArgument));
        carrier.Status.Detail.ShouldStartWith("carrier:");
        events.Status.Detail.ShouldStartWith("order_id:");
        order.Status.Detail.ShouldStartWith("order_id:");

        // The console says so on the page and lists the orders unfiltered.
        using var browser = Browser();
        await SignInAsync(browser, CxKey);
        var now = await browser.GetAsync("/console?Carrier=CJ%00&PromisedTo=9999-12-31", Ct);
        now.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await now.Content.ReadAsStringAsync(Ct)).ShouldContain("carrier: at most 128 characters");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
