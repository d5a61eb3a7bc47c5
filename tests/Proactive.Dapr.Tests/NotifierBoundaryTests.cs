using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Proactive.Notifier.Dispatch;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Publishing;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;
using TrackerProgram = Proactive.Tracker.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// Tracker and Notifier as two services behind stand-in sidecars: what Tracker publishes is
/// delivered to Notifier as daprd would deliver it, and the customer hears exactly once.
/// </summary>
public sealed class NotifierBoundaryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private FakeSidecar trackerSidecar = null!;
    private FakeSidecar notifierSidecar = null!;
    private FakeTwilio twilio = null!;
    private FakeSendGrid sendGrid = null!;
    private DaprServiceHost<TrackerProgram> tracker = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;
    private StandInDaprd trackerDaprd = null!;
    private StandInDaprd notifierDaprd = null!;
    private readonly List<System.Diagnostics.Activity> spans = [];

    public async ValueTask InitializeAsync()
    {
        trackerSidecar = await FakeSidecar.StartAsync();
        notifierSidecar = await FakeSidecar.StartAsync();
        twilio = await FakeTwilio.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        tracker = DaprServiceHost<TrackerProgram>.Start(trackerSidecar, time);
        notifier = DaprServiceHost<NotifierProgram>.Start(
            notifierSidecar, time, twilio: twilio, sendGrid: sendGrid, services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
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

    /// <summary>
    /// The CloudEvent daprd builds around a publish: publisher's app id as source, id and type from
    /// metadata, and the trace context the publish call carried.
    /// </summary>
    private List<JsonObject> PublishedAsCloudEvents()
    {
        return trackerSidecar.Published.Select(p => new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = p.Request.Metadata["cloudevent.id"],
            ["source"] = "tracker",
            ["type"] = p.Request.Metadata["cloudevent.type"],
            ["datacontenttype"] = p.Request.DataContentType,
            ["topic"] = p.Request.Topic,
            ["pubsubname"] = p.Request.PubsubName,
            ["traceparent"] = p.Headers.TryGetValue("traceparent", out var traceParent) && traceParent.Count > 0
                ? traceParent[0]
                : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["data"] = JsonNode.Parse(p.Request.Data.ToStringUtf8()),
        }).ToList();
    }

    private async Task ThroughTrackerAsync()
    {
        foreach (var e in TrackerBoundaryTests.Scenario())
        {
            (await trackerDaprd.OnTopicEventAsync(TrackerBoundaryTests.TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        await tracker.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);
    }

    private Task<int> DispatchAsync() =>
        notifier.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task OneTraceRunsFromTheEventsTraceparentThroughBothServicesToTheProviderCalls()
    {
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        foreach (var e in TrackerBoundaryTests.Scenario())
        {
            e["traceparent"] = $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01";
            (await trackerDaprd.OnTopicEventAsync(TrackerBoundaryTests.TopicOf(e), e)).Status.ShouldBe(Status.Success);
        }

        await tracker.Services.GetRequiredService<OutboxRelay>().RelayPendingAsync(TestContext.Current.CancellationToken);
        var delivered = PublishedAsCloudEvents().ShouldHaveSingleItem();
        delivered["traceparent"]!.GetValue<string>().ShouldContain(traceId.ToString());
        (await notifierDaprd.OnTopicEventAsync("notices", delivered)).Status.ShouldBe(Status.Success);
        await DispatchAsync();

        List<System.Diagnostics.Activity> trace;
        lock (spans)
        {
            trace = spans.Where(s => s.TraceId == traceId).ToList();
        }

        trace.Where(s => s.DisplayName is "orders process" or "shipments process").ShouldAllBe(s => (string?)s.GetTagItem("messaging.system") == "dapr");
        trace.ShouldContain(s => s.DisplayName == "notices publish" && s.Kind == System.Diagnostics.ActivityKind.Producer);
        trace.ShouldContain(s => s.DisplayName == "notices process" && (string?)s.GetTagItem("messaging.system") == "dapr");
        var calls = trace.Where(s => s.Kind == System.Diagnostics.ActivityKind.Client).Select(s => s.GetTagItem("url.full") as string ?? "").ToList();
        calls.ShouldContain(url => url.EndsWith("/Messages.json", StringComparison.Ordinal));
        calls.ShouldContain(url => url.EndsWith("/v3/mail/send", StringComparison.Ordinal));

        // And nothing in it names the customer's phone or email.
        var attributes = string.Join('\n', trace.SelectMany(s => s.TagObjects.Concat(s.Events.SelectMany(e => e.Tags))).Select(t => $"{t.Key}={t.Value}"));
        foreach (var secret in new[] { ContractEvents.KoreanPhone, ContractEvents.KoreanEmail, "minji" })
        {
            attributes.ShouldNotContain(secret);
        }
    }

    [Fact]
    public async Task NotifierSubscribesToTheEpisodeTopicAndItsDeadLetters()
    {
        var subscriptions = (await notifierDaprd.ListTopicSubscriptionsAsync()).Subscriptions;
        subscriptions.Select(s => s.Topic).ShouldBe(["notices", "notices-deadletter"]);
        var subscription = subscriptions[0];

        subscription.Topic.ShouldBe("notices");
        subscription.DeadLetterTopic.ShouldBe("notices-deadletter");
        subscription.BulkSubscribe.Enabled.ShouldBeTrue();
    }

    [Fact]
    public async Task TheContractEventsBecomeTheSameNoticesAsStandalone()
    {
        await ThroughTrackerAsync();

        foreach (var e in PublishedAsCloudEvents())
        {
            (await notifierDaprd.OnTopicEventAsync("notices", e)).Status.ShouldBe(Status.Success);
        }

        await DispatchAsync();

        twilio.Messages.ShouldHaveSingleItem().Body
            .ShouldBe("[Proactive] 주문 A-1001 배송이 늦어지고 있어요. 새 도착 예정일: 11월 28일(토). 죄송합니다. https://shop.example/orders/A-1001");
        sendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(ContractEvents.KoreanEmail);
    }

    /// <summary>
    /// A newer Tracker may publish a reason or an exception code this Notifier does not know: the
    /// change is taken (not dropped, not retried) and the customer is told of a delay without detail.
    /// </summary>
    [Fact]
    public async Task AReasonOrExceptionCodeFromANewerTrackerIsToldAsADelayWithoutDetail()
    {
        await ThroughTrackerAsync();
        var e = PublishedAsCloudEvents().ShouldHaveSingleItem();
        e["data"]!["reason"]!.GetValue<string>().ShouldBe("ETA_SLIP");
        e["data"]!["reason"] = "HELD_BY_DRAGONS";
        e["data"]!["exceptionCode"] = "VOLCANO";

        (await notifierDaprd.OnTopicEventAsync("notices", e)).Status.ShouldBe(Status.Success);
        await DispatchAsync();

        twilio.Messages.ShouldHaveSingleItem().Body
            .ShouldBe("[Proactive] 주문 A-1001 배송이 늦어지고 있어요. 새 도착 예정일: 11월 28일(토). 죄송합니다. https://shop.example/orders/A-1001");
        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        var notices = await http.GetFromJsonAsync<JsonElement>("/v1/orders/A-1001/notices", TestContext.Current.CancellationToken);
        notices.GetProperty("notices").EnumerateArray().ShouldAllBe(n => n.GetProperty("reason").GetString() == "DELAY_REASON_UNSPECIFIED"
            && n.GetProperty("status").GetString() == "sent");
    }

    [Fact]
    public async Task AChangeKindNotifierDoesNotKnowIsDroppedNotTakenForAResolution()
    {
        await ThroughTrackerAsync();
        var e = PublishedAsCloudEvents().ShouldHaveSingleItem();
        e["data"]!["kind"] = 9;

        var answer = await notifierDaprd.OnTopicEventAsync("notices", e);

        answer.Status.ShouldBe(Status.Drop);
        await DispatchAsync();
        twilio.Requests.ShouldBe(0);
        sendGrid.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task ARedeliveredEpisodeIsSuccessAndSendsNothingMore()
    {
        await ThroughTrackerAsync();
        var published = PublishedAsCloudEvents();
        foreach (var e in published.Concat(published))
        {
            (await notifierDaprd.OnTopicEventAsync("notices", e)).Status.ShouldBe(Status.Success);
        }

        (await notifierDaprd.OnBulkTopicEventAsync("notices", published)).Statuses.ShouldAllBe(s => s.Status == Status.Success);
        await DispatchAsync();

        twilio.Requests.ShouldBe(1);
        sendGrid.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task ProviderCredentialsComeFromTheDaprSecretStore()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        sidecar.SecretStores["secretstore"] = new Dictionary<string, string>
        {
            ["Twilio:AccountSid"] = FakeTwilio.AccountSid,
            ["Twilio--AuthToken"] = FakeTwilio.AuthToken,
            ["Twilio:From"] = FakeTwilio.From,
        };
        await using var withSecrets = DaprServiceHost<NotifierProgram>.Start(sidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Dapr:SecretStore"] = "secretstore",
            ["Twilio:BaseUrl"] = twilio.BaseUrl,
        });
        using var client = new StandInDaprd(withSecrets.AppAddress);
        await ThroughTrackerAsync();

        (await client.OnTopicEventAsync("notices", PublishedAsCloudEvents()[0])).Status.ShouldBe(Status.Success);
        await withSecrets.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

        twilio.Messages.ShouldHaveSingleItem().To.ShouldBe(ContractEvents.KoreanPhone);
    }

    [Fact]
    public async Task OnlyTheNamedSecretIsReadWhenOneIsNamed()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        sidecar.SecretStores["kubernetes"] = new Dictionary<string, string> { ["password"] = "kafka-secret" };
        sidecar.Secrets["kubernetes/proactive-providers"] = new Dictionary<string, string>
        {
            ["Twilio--AccountSid"] = FakeTwilio.AccountSid,
            ["Twilio--AuthToken"] = FakeTwilio.AuthToken,
            ["Twilio--From"] = FakeTwilio.From,
        };
        await using var withSecret = DaprServiceHost<NotifierProgram>.Start(sidecar, time, new Dictionary<string, string?>
        {
            ["Proactive:Dapr:SecretStore"] = "kubernetes",
            ["Proactive:Dapr:SecretName"] = "proactive-providers",
        });

        var configuration = withSecret.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        configuration["Twilio:AuthToken"].ShouldBe(FakeTwilio.AuthToken);
        configuration["password"].ShouldBeNull();
    }

    [Fact]
    public async Task AnEpisodeThatIsNotOneIsDropped()
    {
        await ThroughTrackerAsync();
        var e = PublishedAsCloudEvents()[0];
        var wrongType = (JsonObject)e.DeepClone();
        wrongType["type"] = "com.example.other";
        var noOrder = (JsonObject)e.DeepClone();
        noOrder["id"] = "other-id";
        noOrder["data"]!.AsObject().Remove("orderId");

        (await notifierDaprd.OnTopicEventAsync("notices", wrongType)).Status.ShouldBe(Status.Drop);
        (await notifierDaprd.OnTopicEventAsync("notices", noOrder)).Status.ShouldBe(Status.Drop);
        await DispatchAsync();
        twilio.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task AnEpisodeChangeItsHandlerFailsOnIsHeldThenParkedAndTheNextChangeIsTold()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = notifier.Services.GetRequiredService<Database>();
        var retry = notifier.Services.GetRequiredService<HeldEventRetry>();
        using var http = new ServiceHttp(notifier.HttpAddress);
        await ThroughTrackerAsync();
        var poisoned = PublishedAsCloudEvents().ShouldHaveSingleItem();
        var other = poisoned.DeepClone().AsObject();
        other["id"] = "B-1/1";
        other["data"]!["orderId"] = "B-1";
        other["data"]!["episodeId"] = "B-1-e1";
        other["data"]!["customer"]!["customerId"] = "C-99";

        // Preferences no code path can read: every change for this customer fails.
        await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO notifier_preferences (customer_id, channels, updated_at) VALUES ('C-77', 'PIGEON', 0)", transaction: tx), ct);
        (await notifierDaprd.OnTopicEventAsync("notices", poisoned)).Status.ShouldBe(Status.Success);
        (await notifierDaprd.OnTopicEventAsync("notices", other)).Status.ShouldBe(Status.Success);
        await DispatchAsync();
        twilio.Messages.ShouldHaveSingleItem();

        foreach (var seconds in new[] { 10, 20, 40, 80 })
        {
            time.Advance(TimeSpan.FromSeconds(seconds));
            (await retry.RetryDueAsync(ct)).ShouldBe(1);
        }

        time.Advance(TimeSpan.FromHours(1));
        (await retry.RetryDueAsync(ct)).ShouldBe(0);
        var parked = (await http.ParkedAsync()).ShouldHaveSingleItem();
        parked.GetProperty("queue").GetString().ShouldBe("inbound.notices");
        parked.GetProperty("orderId").GetString().ShouldBe("A-1001");
        parked.GetProperty("itemKey").GetString().ShouldBe($"tracker/{poisoned["id"]}");
        parked.GetProperty("error").GetString()!.ShouldContain("PIGEON");
        var (status, queues) = await http.HealthAsync();
        status.ShouldBe("Degraded");
        queues.ShouldContain("inbound.notices: 1 parked");

        await db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM notifier_preferences WHERE customer_id = 'C-77'", transaction: tx), ct);
        (await http.RetryAsync()).ShouldBe(1);
        (await retry.RetryDueAsync(ct)).ShouldBe(1);
        await DispatchAsync();

        twilio.Messages.Count.ShouldBe(2);
        (await http.ParkedAsync()).ShouldBeEmpty();
        (await http.HealthAsync()).Status.ShouldBe("Healthy");
    }

    [Fact]
    public async Task TwoHeldChangesWhoseIdsShareALongPrefixAreKeptApart()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = notifier.Services.GetRequiredService<Database>();
        await ThroughTrackerAsync();
        var first = PublishedAsCloudEvents().ShouldHaveSingleItem();
        var prefix = new string('X', 70);
        var second = first.DeepClone().AsObject();
        first["id"] = $"{prefix}/1";
        second["id"] = $"{prefix}/2";
        second["data"]!["sequence"] = 2;

        await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO notifier_preferences (customer_id, channels, updated_at) VALUES ('C-77', 'PIGEON', 0)", transaction: tx), ct);
        (await notifierDaprd.OnTopicEventAsync("notices", first)).Status.ShouldBe(Status.Success);
        (await notifierDaprd.OnTopicEventAsync("notices", second)).Status.ShouldBe(Status.Success);

        var held = await db.ReadAsync(c => c.QueryAsync<string>("SELECT item_key FROM queue_item_failures WHERE queue = 'inbound.notices'"), ct);
        held.ShouldBe([$"tracker/{prefix}/1", $"tracker/{prefix}/2"], ignoreOrder: true);
    }
}
