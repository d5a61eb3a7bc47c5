using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Incidents;
using Proactive.Tests.Shared;
using CarrierExceptionCode = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;
using NotifierProgram = Proactive.Notifier.Program;
using Status = Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus;

namespace Proactive.Dapr.Tests;

/// <summary>
/// Incidents under Dapr: delay episodes delivered by daprd on topic "notices" open one incident,
/// alerted once on the chat webhook (whose secret URL no span records), and Notifier's HTTP port
/// serves /v1/incidents.
/// </summary>
public sealed class IncidentBoundaryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private readonly System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity> spans = new();
    private FakeSidecar sidecar = null!;
    private FakeSendGrid sendGrid = null!;
    private FakeChatWebhook chat = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;
    private StandInDaprd daprd = null!;

    public async ValueTask InitializeAsync()
    {
        sidecar = await FakeSidecar.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        chat = await FakeChatWebhook.StartAsync();
        notifier = DaprServiceHost<NotifierProgram>.Start(
            sidecar,
            time,
            new Dictionary<string, string?>
            {
                ["Proactive:Incidents:WebhookUrl"] = chat.Url,
                ["Proactive:Incidents:AlertEmail"] = "cx-team@shop.example",
            },
            sendGrid: sendGrid,
            services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new SpanCollector(spans))));
        daprd = new StandInDaprd(notifier.AppAddress);
    }

    public async ValueTask DisposeAsync()
    {
        daprd.Dispose();
        await notifier.DisposeAsync();
        await sidecar.DisposeAsync();
        await sendGrid.DisposeAsync();
        await chat.DisposeAsync();
    }

    /// <summary>The CloudEvent daprd builds around Tracker's publish of a carrier exception on an order shipped to Seoul.</summary>
    private JsonObject Exception(string orderId) => new()
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
            Reason = DelayReason.CarrierException,
            ExceptionCode = CarrierExceptionCode.Weather,
            PromisedBy = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero)),
            OccurredAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Carrier = "CJ Logistics",
            ShipTo = new Contracts.Events.V1.Address { Country = "KR", Region = "KR-11" },
            Customer = new Contracts.Events.V1.Customer
            {
                CustomerId = $"C-{orderId}",
                Phone = ContractEvents.KoreanPhone,
                Email = ContractEvents.KoreanEmail,
                Locale = "ko-KR",
                TimeZone = "Asia/Seoul",
            },
        })),
    };

    [Fact]
    public async Task DelaysDeliveredByDaprOpenOneIncidentServedOnTheHttpPort()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = 1; i <= 20; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            (await daprd.OnTopicEventAsync("notices", Exception($"A-{i:00}"))).Status.ShouldBe(Status.Success);
        }

        (await notifier.Services.GetRequiredService<IncidentSweep>().SweepAsync(ct)).ShouldBe((1, 0));
        await notifier.Services.GetRequiredService<IncidentAlerter>().SendDueAsync(ct);

        using var http = new HttpClient { BaseAddress = new Uri(notifier.HttpAddress) };
        var incident = (await http.GetFromJsonAsync<JsonElement>("/v1/incidents?status=open", ct)).GetProperty("incidents").EnumerateArray().ShouldHaveSingleItem();
        incident.GetProperty("orderCount").GetInt32().ShouldBe(20);
        var id = incident.GetProperty("incidentId").GetString();
        (await http.GetFromJsonAsync<JsonElement>($"/v1/incidents/{id}", ct)).GetProperty("affectedOrders").GetArrayLength().ShouldBe(20);
        chat.Accepted.ShouldHaveSingleItem().GetProperty("text").GetString()!.ShouldContain($"/v1/incidents/{id}");
        sendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe("cx-team@shop.example");

        // The webhook URL is the credential: no span of Notifier's holds it (the fake's own server
        // spans, in this process, are left out).
        // A snapshot: spans keep ending on the service's threads while the test reads.
        var attributes = string.Join(
            '\n', spans.ToArray().Where(s => s.Kind != System.Diagnostics.ActivityKind.Server).SelectMany(s => s.TagObjects).Select(t => $"{t.Key}={t.Value}"));

        attributes.ShouldContain("/v3/mail/send");
        attributes.ShouldNotContain(FakeChatWebhook.SecretPath);
    }
}

/// <summary>Every span that ends, kept in a queue that may be read while spans still end.</summary>
internal sealed class SpanCollector(System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity> spans) : BaseProcessor<System.Diagnostics.Activity>
{
    public override void OnEnd(System.Diagnostics.Activity data) => spans.Enqueue(data);
}
