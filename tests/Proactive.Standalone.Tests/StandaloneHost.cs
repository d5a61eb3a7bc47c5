using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Dispatch;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Timers;

namespace Proactive.Standalone.Tests;

/// <summary>
/// The standalone app hosted in memory, on its own SQLite file, with Twilio and SendGrid pointed
/// at real fake servers on loopback and the clock under the test's control. By default the
/// background loops are off and <see cref="DrainAsync"/> runs them to completion, so a test knows
/// when everything that could happen has happened.
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero); // 10:00 in Seoul

    private readonly WebApplicationFactory<Program> factory;
    private readonly string directory;

    private StandaloneHost(WebApplicationFactory<Program> factory, HttpClient client, string directory, FakeTimeProvider time, FakeTwilio twilio, FakeSendGrid sendGrid)
    {
        this.factory = factory;
        this.directory = directory;
        Time = time;
        Twilio = twilio;
        SendGrid = sendGrid;
        Client = client;
    }

    public FakeTimeProvider Time { get; }

    public FakeTwilio Twilio { get; }

    public FakeSendGrid SendGrid { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => factory.Services;

    /// <summary>An in-memory handler for gRPC calls to the host (HTTP/2 without a socket).</summary>
    public HttpMessageHandler Handler() => factory.Server.CreateHandler();

    public string OutboxPath => Path.Combine(directory, "outbox.jsonl");

    public static async Task<StandaloneHost> StartAsync(
        bool background = false,
        bool providers = true,
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        ILoggerProvider? logs = null,
        StoreKind store = StoreKind.Sqlite,
        Action<IServiceCollection>? services = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "proactive-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var time = new FakeTimeProvider(Start);
        var twilio = await FakeTwilio.StartAsync();
        var sendGrid = await FakeSendGrid.StartAsync();

        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Proactive"] = $"Data Source={Path.Combine(directory, "proactive.db")}",
            ["Proactive:Tracker:RunBackgroundWork"] = background.ToString(),
            ["Proactive:Dispatch:RunBackgroundWork"] = background.ToString(),
            ["Proactive:Incidents:RunBackgroundWork"] = background.ToString(),
            ["Proactive:Dispatch:OutboxPath"] = Path.Combine(directory, "outbox.jsonl"),
        };
        if (store == StoreKind.Postgres)
        {
            config["Proactive:Store"] = "Postgres";
            config["ConnectionStrings:Proactive"] = await TestPostgres.CreateDatabaseAsync();
        }

        var providerSettings = providers ? twilio.Settings().Concat(sendGrid.Settings()) : [];
        foreach (var (key, value) in providerSettings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            config[key] = value;
        }

        var validation = new StartValidation();
        var factory = TestHosting.Create<Program>(config, time, logs, services, validation);
        HttpClient? client = null;
        try
        {
            validation.Start(() => client = factory.CreateClient());
        }
        catch
        {
            // A refused start (tests expect some) leaves no server, fake provider or folder behind.
            StartValidation.DisposeRefused(factory);
            await twilio.DisposeAsync();
            await sendGrid.DisposeAsync();
            DeleteDirectory(directory);
            throw;
        }

        return new StandaloneHost(factory, client!, directory, time, twilio, sendGrid);
    }

    public Task<HttpResponseMessage> PostAsync(string topic, JsonNode cloudEvent) =>
        PostRawAsync(topic, cloudEvent.ToJsonString(), "application/cloudevents+json");

    public Task<HttpResponseMessage> PostBatchAsync(string topic, params JsonNode[] cloudEvents) =>
        PostRawAsync(topic, new JsonArray(cloudEvents.Select(e => e.DeepClone()).ToArray()).ToJsonString(), "application/cloudevents-batch+json");

    public Task<HttpResponseMessage> PostRawAsync(string topic, string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Client.PostAsync($"/v1/events/{topic}", content);
    }

    /// <summary>Posts each event and checks it was accepted.</summary>
    public async Task AcceptAsync(params JsonObject[] cloudEvents)
    {
        foreach (var e in cloudEvents)
        {
            var topic = e["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders";
            using var response = await PostAsync(topic, e);
            ((int)response.StatusCode).ShouldBe(202, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Runs the outbox relay, the timer sweep and the dispatcher until none has anything left to do.</summary>
    public async Task DrainAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var relay = Services.GetRequiredService<OutboxRelay>();
        var sweep = Services.GetRequiredService<DueTimerSweep>();
        var dispatcher = Services.GetRequiredService<NoticeDispatcher>();
        while (await sweep.SweepDueAsync(ct) + await relay.RelayPendingAsync(ct) + await dispatcher.DispatchDueAsync(ct) > 0)
        {
        }
    }

    /// <summary>Moves the clock and lets everything that came due run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await DrainAsync();
    }

    public async Task<JsonElement> NoticesAsync(string orderId) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/v1/orders/{orderId}/notices", TestContext.Current.CancellationToken)).GetProperty("notices");

    public async Task<JsonElement> OrderAsync(string orderId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/v1/orders/{orderId}", TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
        await Twilio.DisposeAsync();
        await SendGrid.DisposeAsync();
        DeleteDirectory(directory);
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
