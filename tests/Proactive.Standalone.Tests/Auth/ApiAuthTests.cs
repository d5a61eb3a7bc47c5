using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Survey;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults.Auth;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests.Auth;

/// <summary>The standalone host with Proactive:Auth:Mode Required: every API needs a key or a token with the right scope.</summary>
public sealed class ApiAuthTests
{
    private const string Customer = "C-1";
    private static readonly DateTimeOffset Now = StandaloneHost.Start;

    private static readonly string ShopKey = ApiKey.Mint();
    private static readonly string ReaderKey = ApiKey.Mint();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>"shop" may ingest; "reader" may read orders and notices but not change preferences.</summary>
    private static Dictionary<string, string?> Keys(params KeyValuePair<string, string?>[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Proactive:Auth:Mode"] = "Required",
            ["Proactive:Auth:ApiKeys:shop:Hash"] = ApiKey.Hash(ShopKey),
            ["Proactive:Auth:ApiKeys:shop:Scopes"] = "events:write",
            ["Proactive:Auth:ApiKeys:reader:Hash"] = ApiKey.Hash(ReaderKey).ToUpperInvariant(),
            ["Proactive:Auth:ApiKeys:reader:Scopes:0"] = Scopes.OrdersRead,
            ["Proactive:Auth:ApiKeys:reader:Scopes:1"] = Scopes.NoticesRead,
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? authorization, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        return request;
    }

    private static HttpContent Event(string order) =>
        new StringContent(OrderPlaced(order, Now.AddHours(-1), Now.AddDays(2), id: $"{order}-placed").ToJsonString(), new MediaTypeHeaderValue("application/cloudevents+json"));

    private static HttpContent Sms() => JsonContent.Create(new { channels = new { channels = new[] { "SMS" } } });

    [Fact]
    public async Task WithoutCredentialsEveryMappedApiAnswers401AndOnlyTheWebhooksSurveyAndHealthAreOpen()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());
        using var channel = GrpcChannel.ForAddress(host.Client.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.Handler() });

        var walk = await ApiWalk.WithoutCredentialsAsync(host.Services, host.Client, channel.CreateCallInvoker(), Ct);

        walk.Open.ShouldBeEmpty();
        walk.Exempt.ShouldBe(
            new[] { "/healthz", "/livez", WebhookEndpoints.TwilioStatus, WebhookEndpoints.TwilioInbound, WebhookEndpoints.SendGridEvents, "/" + SurveyLanding.Route.TrimStart('/'), "/console/sign-in" }.Order(StringComparer.Ordinal),
            ignoreOrder: true);
        walk.SignIn.ShouldBe(["GET /console", "GET /console/order", "GET /console/incidents", "GET /console/voice", "GET /console/backtest", "GET /console/sign-out"], ignoreOrder: true);
        walk.Refused.ShouldContain("POST /v1/events/{topic}");
        walk.Refused.ShouldContain("PATCH /v1/customers/{customer_id}/preferences");
        walk.Refused.ShouldContain("GET /v1/orders/{order_id}");
        walk.Refused.ShouldContain("gRPC /proactive.tracker.v1.OrderTracking/GetOrder");
        walk.Refused.ShouldContain("GET /v1/orders/{order_id}/events");
        walk.Refused.ShouldContain("gRPC /proactive.tracker.v1.OrderTracking/ListOrderEvents");
        walk.Refused.ShouldContain("GET /v1/watched-orders");
        walk.Refused.ShouldContain("gRPC /proactive.tracker.v1.OrderTracking/ListWatchedOrders");
        walk.Refused.ShouldContain("GET /v1/parked");
        walk.Refused.ShouldContain("GET /v1/templates/{kind}/{channel}/{language}");
        walk.Refused.ShouldContain("PUT /v1/templates/{kind}/{channel}/{language}");
        walk.Refused.ShouldContain("GET /v1/templates/{kind}/{channel}/{language}/versions");
        walk.Refused.ShouldContain("POST /v1/templates/{kind}/{channel}/{language}/versions/{version:long}:restore");
        walk.Refused.ShouldContain("POST /v1/templates/preview");
    }

    [Fact]
    public async Task A401ChangesNothingAndSaysHowToAuthenticate()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());

        using var ingest = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", null, Event("A-1")), Ct);
        using var patch = await host.Client.SendAsync(Request(HttpMethod.Patch, $"/v1/customers/{Customer}/preferences", null, Sms()), Ct);
        using var wrongKey = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {ApiKey.Mint()}", Event("A-1")), Ct);

        ((int)ingest.StatusCode).ShouldBe(401);
        ((int)patch.StatusCode).ShouldBe(401);
        ((int)wrongKey.StatusCode).ShouldBe(401);
        ingest.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        ingest.Headers.WwwAuthenticate.Select(h => h.Scheme).ShouldContain("ApiKey");
        (await wrongKey.Content.ReadAsStringAsync(Ct)).ShouldContain("The API key is not known");
        using var order = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/A-1", $"ApiKey {ReaderKey}"), Ct);
        ((int)order.StatusCode).ShouldBe(404);
        using var preferences = await host.Client.SendAsync(Request(HttpMethod.Patch, $"/v1/customers/{Customer}/preferences", $"ApiKey {ReaderKey}", Sms()), Ct);
        ((int)preferences.StatusCode).ShouldBe(403);
    }

    [Fact]
    public async Task AKeyWithoutPreferencesWriteGets403FromPatchAndOneWithItChangesThem()
    {
        var editor = ApiKey.Mint();
        await using var host = await StandaloneHost.StartAsync(settings: Keys(
            new("Proactive:Auth:ApiKeys:cx:Hash", ApiKey.Hash(editor)),
            new("Proactive:Auth:ApiKeys:cx:Scopes", "preferences:write,orders:read")));

        using var forbidden = await host.Client.SendAsync(Request(HttpMethod.Patch, $"/v1/customers/{Customer}/preferences", $"ApiKey {ReaderKey}", Sms()), Ct);
        using var allowed = await host.Client.SendAsync(Request(HttpMethod.Patch, $"/v1/customers/{Customer}/preferences", $"ApiKey {editor}", Sms()), Ct);

        ((int)forbidden.StatusCode).ShouldBe(403);
        forbidden.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await forbidden.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString().ShouldBe("This needs the scope preferences:write.");
        ((int)allowed.StatusCode).ShouldBe(200, await allowed.Content.ReadAsStringAsync(Ct));
        (await allowed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ShouldBe(["SMS"]);
    }

    [Fact]
    public async Task AKeyIngestsAndReadsOnlyWithinItsScopes()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());

        using var ingested = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {ShopKey}", Event("A-2")), Ct);
        using var shopReads = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/A-2", $"ApiKey {ShopKey}"), Ct);
        using var readerIngests = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {ReaderKey}", Event("A-3")), Ct);
        using var readerReads = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/A-2", $"ApiKey {ReaderKey}"), Ct);
        using var voice = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/voice/summary", $"ApiKey {ReaderKey}"), Ct);

        ((int)ingested.StatusCode).ShouldBe(202, await ingested.Content.ReadAsStringAsync(Ct));
        ((int)shopReads.StatusCode).ShouldBe(403);
        ((int)readerIngests.StatusCode).ShouldBe(403);
        ((int)readerReads.StatusCode).ShouldBe(200);
        ((int)voice.StatusCode).ShouldBe(403);
    }

    [Fact]
    public async Task AValidTokenOfTheConfiguredIssuerWorksWithItsScopesAndAnyOtherIsRefused()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var host = await StandaloneHost.StartAsync(settings: Keys([.. issuer.Settings()]));
        var reader = issuer.Token(new Dictionary<string, object> { ["scope"] = "orders:read notices:read" }, Now);
        var shop = issuer.Token(new Dictionary<string, object> { ["scp"] = new[] { "events:write", "orders:read" } }, Now, subject: "shop-backend");
        var otherAudience = issuer.Token(new Dictionary<string, object> { ["scope"] = "orders:read" }, Now, audience: "someone-else");
        var expired = issuer.Token(new Dictionary<string, object> { ["scope"] = "orders:read" }, Now, expired: true);
        await using var stranger = await TestIssuer.StartAsync();
        var foreign = stranger.Token(new Dictionary<string, object> { ["scope"] = "orders:read" }, Now);

        using var ingested = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"Bearer {shop}", Event("B-1")), Ct);
        using var read = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/B-1/notices", $"Bearer {reader}"), Ct);
        using var readerPatch = await host.Client.SendAsync(Request(HttpMethod.Patch, $"/v1/customers/{Customer}/preferences", $"Bearer {reader}", Sms()), Ct);

        ((int)ingested.StatusCode).ShouldBe(202, await ingested.Content.ReadAsStringAsync(Ct));
        ((int)read.StatusCode).ShouldBe(200, await read.Content.ReadAsStringAsync(Ct));
        ((int)readerPatch.StatusCode).ShouldBe(403);
        foreach (var token in new[] { otherAudience, expired, foreign })
        {
            using var refused = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/B-1", $"Bearer {token}"), Ct);
            ((int)refused.StatusCode).ShouldBe(401);
            refused.Headers.WwwAuthenticate.Select(h => h.Scheme).ShouldBe(["Bearer", "ApiKey"], ignoreOrder: true);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
    }

    [Fact]
    public async Task GrpcCallsAreUnauthenticatedWithoutAKeyPermissionDeniedWithoutTheScopeAndAnsweredWithIt()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());
        using var channel = GrpcChannel.ForAddress(host.Client.BaseAddress!, new GrpcChannelOptions { HttpHandler = host.Handler() });
        var tracker = new OrderTracking.OrderTrackingClient(channel);
        var request = new GetOrderRequest { OrderId = "G-1" };

        var anonymous = await Should.ThrowAsync<RpcException>(() => tracker.GetOrderAsync(request, cancellationToken: Ct).ResponseAsync);
        var shop = await Should.ThrowAsync<RpcException>(() => tracker.GetOrderAsync(request, new Metadata { { "authorization", $"ApiKey {ShopKey}" } }, cancellationToken: Ct).ResponseAsync);
        var reader = await Should.ThrowAsync<RpcException>(() => tracker.GetOrderAsync(request, new Metadata { { "authorization", $"ApiKey {ReaderKey}" } }, cancellationToken: Ct).ResponseAsync);

        anonymous.StatusCode.ShouldBe(StatusCode.Unauthenticated);
        shop.StatusCode.ShouldBe(StatusCode.PermissionDenied);
        shop.Status.Detail.ShouldContain("orders:read");
        reader.StatusCode.ShouldBe(StatusCode.NotFound);
    }

    [Fact]
    public async Task ARequiredStartWithNoCredentialConfiguredServesNobodyAndSaysSo()
    {
        using var logs = new CapturedTelemetry();
        await using var host = await StandaloneHost.StartAsync(settings: [new("Proactive:Auth:Mode", "Required")], logs: logs);

        using var order = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/A-1", null), Ct);
        using var ingest = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {ShopKey}", Event("A-1")), Ct);
        using var health = await host.Client.GetAsync("/healthz", Ct);

        ((int)order.StatusCode).ShouldBe(401);
        ((int)ingest.StatusCode).ShouldBe(401);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        logs.All.ShouldContain("no credential is configured");
    }

    [Fact]
    public async Task AKeyIsAlsoTakenFromTheXApiKeyHeaderOrAsABearerCredential()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());

        using var header = new HttpRequestMessage(HttpMethod.Get, "/v1/orders/A-1");
        header.Headers.Add("X-Api-Key", ReaderKey);
        using var byHeader = await host.Client.SendAsync(header, Ct);
        using var byBearer = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/A-1", $"Bearer {ReaderKey}"), Ct);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/customers/{Customer}/preferences") { Content = Sms() };
        patch.Headers.Add("X-Api-Key", ReaderKey);
        using var forbidden = await host.Client.SendAsync(patch, Ct);
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/v1/orders/A-1");
        unknown.Headers.Add("X-Api-Key", ApiKey.Mint());
        using var refused = await host.Client.SendAsync(unknown, Ct);

        ((int)byHeader.StatusCode).ShouldBe(404);
        ((int)byBearer.StatusCode).ShouldBe(404);
        ((int)forbidden.StatusCode).ShouldBe(403);
        ((int)refused.StatusCode).ShouldBe(401);
    }

    [Fact]
    public async Task AnonymousCallersAreNotLimitedPerClient()
    {
        await using var host = await StandaloneHost.StartAsync(settings:
        [
            new("Proactive:Auth:Mode", "None"),
            new("Proactive:Auth:IngestRateLimit:PermitLimit", "1"),
            new("Proactive:Auth:IngestRateLimit:Window", "01:00:00"),
        ]);

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", null, Event($"N-{i}")), Ct);
            ((int)response.StatusCode).ShouldBe(202);
        }
    }

    [Fact]
    public async Task IngestIsRateLimitedPerClientWith429ProblemAndRetryAfter()
    {
        var other = ApiKey.Mint();
        await using var host = await StandaloneHost.StartAsync(settings: Keys(
            new("Proactive:Auth:ApiKeys:other-shop:Hash", ApiKey.Hash(other)),
            new("Proactive:Auth:ApiKeys:other-shop:Scopes", "events:write"),
            new("Proactive:Auth:IngestRateLimit:PermitLimit", "2"),
            new("Proactive:Auth:IngestRateLimit:Window", "01:00:00")));

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {ShopKey}", Event($"R-{i}")), Ct);
            statuses.Add((int)response.StatusCode);
            if (i == 2)
            {
                response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
                response.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
                response.Headers.RetryAfter.Delta.Value.ShouldBeLessThanOrEqualTo(TimeSpan.FromHours(1));
            }
        }

        using var otherClient = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {other}", Event("R-9")), Ct);
        using var reads = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/R-0", $"ApiKey {ReaderKey}"), Ct);

        statuses.ShouldBe([202, 202, 429]);
        ((int)otherClient.StatusCode).ShouldBe(202);
        ((int)reads.StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task ModeNoneServesAnyoneAndWarnsAtStart()
    {
        using var logs = new CapturedTelemetry();
        await using var host = await StandaloneHost.StartAsync(settings: [new("Proactive:Auth:Mode", "None")], logs: logs);

        using var read = await host.Client.GetAsync("/v1/orders/N-1", Ct);

        ((int)read.StatusCode).ShouldBe(404);
        logs.All.ShouldContain("Proactive:Auth:Mode is None");
        DemoScenarioSettings().ShouldContainKeyAndValue("Proactive:Auth:Mode", "None");
    }

    [Fact]
    public async Task ARequiredStartDoesNotWarn()
    {
        using var logs = new CapturedTelemetry();
        await using var host = await StandaloneHost.StartAsync(settings: Keys(), logs: logs);

        using var health = await host.Client.GetAsync("/healthz", Ct);

        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        logs.All.ShouldNotContain("Proactive:Auth:Mode is None");
        logs.All.ShouldContain("APIs require authentication");
        logs.All.ShouldNotContain(ShopKey);
    }

    [Fact]
    public async Task AMintedKeyAndThePrintedConfigurationWorkTogether()
    {
        var output = new StringWriter();
        NewApiKeyCommand.Run([NewApiKeyCommand.Name, "warehouse", "--scopes", "events:write orders:read"], output, new StringWriter()).ShouldBe(0);
        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var key = lines.Single(l => l.StartsWith(ApiKey.Prefix, StringComparison.Ordinal));
        var settings = lines.Where(l => l.StartsWith("Proactive__", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Replace("__", ":", StringComparison.Ordinal), p => (string?)p[1].Trim('"'));
        settings["Proactive:Auth:Mode"] = "Required";
        await using var host = await StandaloneHost.StartAsync(settings: settings);

        using var ingested = await host.Client.SendAsync(Request(HttpMethod.Post, "/v1/events/orders", $"ApiKey {key}", Event("M-1")), Ct);
        using var read = await host.Client.SendAsync(Request(HttpMethod.Get, "/v1/orders/M-1", $"ApiKey {key}"), Ct);

        output.ToString().Split(key).Length.ShouldBe(2); // printed once, the configuration holds only its hash
        ((int)ingested.StatusCode).ShouldBe(202);
        ((int)read.StatusCode).ShouldBe(200);
    }

    private static IReadOnlyDictionary<string, string?> DemoScenarioSettings() => Demo.DemoScenario.Settings;
}
