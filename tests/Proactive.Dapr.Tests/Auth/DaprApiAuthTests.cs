using System.Net.Http.Headers;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Survey;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults.Auth;
using Proactive.Tests.Shared;
using NotifierProgram = Proactive.Notifier.Program;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests.Auth;

/// <summary>Tracker and Notifier on Dapr with Proactive:Auth:Mode Required: their APIs need credentials, daprd's calls do not.</summary>
public sealed class DaprApiAuthTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private static readonly string ReaderKey = ApiKey.Mint();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Required(params KeyValuePair<string, string?>[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Proactive:Auth:Mode"] = "Required",
            ["Proactive:Auth:ApiKeys:cx:Hash"] = ApiKey.Hash(ReaderKey),
            ["Proactive:Auth:ApiKeys:cx:Scopes"] = "orders:read notices:read",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// daprd's calls, and gRPC's answer "Unimplemented" to any other method (it takes the conventions
    /// of the first service mapped, daprd's, and tells nothing).
    /// </summary>
    private static readonly string[] DaprCalls =
    [
        "/dapr.proto.runtime.v1.AppCallback/", "/dapr.proto.runtime.v1.AppCallbackAlpha/", "/dapr.proto.runtime.v1.AppCallbackHealthCheck/", "/grpc.health.v1.Health/",
        "/{unimplementedService}/{unimplementedMethod:grpcunimplemented}",
    ];

    private static async Task<ApiWalkResult> WalkAsync<T>(DaprServiceHost<T> host)
        where T : class
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.HttpAddress) };
        using var channel = GrpcChannel.ForAddress(host.AppAddress);
        return await ApiWalk.WithoutCredentialsAsync(host.Services, http, channel.CreateCallInvoker(), Ct);
    }

    [Fact]
    public async Task WithoutCredentialsEveryTrackerApiAnswers401AndDaprsCallsStayOpen()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, Time, Required());

        var walk = await WalkAsync(tracker);

        walk.Open.ShouldBeEmpty();
        walk.Exempt.Where(r => !DaprCalls.Any(r.StartsWith)).ShouldBe(["/healthz", "/livez"], ignoreOrder: true);
        walk.Refused.ShouldContain("GET /v1/dead-letters");
        walk.Exempt.ShouldContain("/dapr.proto.runtime.v1.AppCallback/OnTopicEvent");
        walk.Refused.ShouldContain("GET /v1/orders/{order_id}");
        walk.Refused.ShouldContain("gRPC /proactive.tracker.v1.OrderTracking/GetOrder");
        walk.Refused.ShouldContain("GET /v1/orders/{order_id}/events");
        walk.Refused.ShouldContain("gRPC /proactive.tracker.v1.OrderTracking/ListOrderEvents");
        walk.Refused.ShouldContain("GET /v1/watched-orders");
        walk.Refused.ShouldContain("gRPC /proactive.tracker.v1.OrderTracking/ListWatchedOrders");
    }

    /// <summary>With its console configured, Notifier serves the sign-in page; every other console page sends to it.</summary>
    [Fact]
    public async Task WithTheConsoleConfiguredNotifiersConsolePagesNeedASession()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        await using var notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, Time, Required(
            new("Proactive:Console:Tracker:Address", "http://127.0.0.1:9"),
            new("Proactive:Console:Tracker:ApiKey", ApiKey.Mint())));

        var walk = await WalkAsync(notifier);

        walk.Open.ShouldBeEmpty();
        walk.Exempt.ShouldContain("/console/sign-in");
        walk.SignIn.ShouldBe(["GET /console", "GET /console/order", "GET /console/incidents", "GET /console/voice", "GET /console/backtest", "GET /console/sign-out"], ignoreOrder: true);
    }

    [Fact]
    public async Task WithoutCredentialsEveryNotifierApiAnswers401ButWebhooksSurveyAndDaprsCallsStayOpen()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        await using var notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, Time, Required());

        var walk = await WalkAsync(notifier);

        walk.Open.ShouldBeEmpty();
        walk.Exempt.Where(r => !DaprCalls.Any(r.StartsWith)).ShouldBe(
            new[] { "/healthz", "/livez", WebhookEndpoints.TwilioStatus, WebhookEndpoints.TwilioInbound, WebhookEndpoints.SendGridEvents, "/" + SurveyLanding.Route.TrimStart('/') },
            ignoreOrder: true);
        walk.Refused.ShouldContain("PATCH /v1/customers/{customer_id}/preferences");
        walk.Refused.ShouldContain("GET /v1/voice/summary");
        walk.Refused.ShouldContain("PUT /v1/templates/{kind}/{channel}/{language}");
        walk.Refused.ShouldContain("POST /v1/templates/preview");
    }

    [Fact]
    public async Task DaprStillListsSubscriptionsAndChecksHealthWithoutApiCredentials()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        await using var tracker = DaprServiceHost<TrackerProgram>.Start(sidecar, Time, Required());
        using var daprd = new StandInDaprd(tracker.AppAddress);

        var subscriptions = await daprd.ListTopicSubscriptionsAsync();
        await daprd.HealthCheckAsync();

        subscriptions.Subscriptions.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task AKeyReadsTheNotifierHttpApiWithinItsScopes()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        await using var notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, Time, Required());
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", ReaderKey);

        using var notices = await http.GetAsync("/v1/orders/A-1/notices", Ct);
        using var voice = await http.GetAsync("/v1/voice/summary", Ct);

        ((int)notices.StatusCode).ShouldBe(200);
        ((int)voice.StatusCode).ShouldBe(403);
        voice.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task TheTemplateApiIsOnNotifiersHttpPortAndNeedsTemplatesWrite()
    {
        var editorKey = ApiKey.Mint();
        await using var sidecar = await FakeSidecar.StartAsync();
        await using var notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, Time, Required(
            new("Proactive:Auth:ApiKeys:editor:Hash", ApiKey.Hash(editorKey)),
            new("Proactive:Auth:ApiKeys:editor:Scopes", "templates:write")));
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        using var reader = new HttpRequestMessage(HttpMethod.Get, "/v1/templates/delay/sms/pt-BR");
        reader.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", ReaderKey);
        using var editor = new HttpRequestMessage(HttpMethod.Get, "/v1/templates/delay/sms/pt-BR");
        editor.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", editorKey);

        using var refused = await http.SendAsync(reader, Ct);
        using var allowed = await http.SendAsync(editor, Ct);

        ((int)refused.StatusCode).ShouldBe(403);
        ((int)allowed.StatusCode).ShouldBe(200);
        (await allowed.Content.ReadAsStringAsync(Ct)).ShouldContain("delay/sms/pt-BR@default:");
    }
}
