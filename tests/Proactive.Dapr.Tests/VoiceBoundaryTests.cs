using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Proactive.Tests.Shared;
using NotifierProgram = Proactive.Notifier.Program;

namespace Proactive.Dapr.Tests;

/// <summary>
/// Notifier on its own (Dapr hosting, PostgreSQL) records a customer's SMS words and serves the
/// voice summary and CSV export on its HTTP port.
/// </summary>
public sealed class VoiceBoundaryTests : IAsyncLifetime
{
    private const string PublicBaseUrl = "https://proactive.example.com";
    private const string InboundPath = "/v1/webhooks/twilio/inbound";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private readonly HttpClient http = new();
    private FakeSidecar sidecar = null!;
    private FakeTwilio twilio = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        sidecar = await FakeSidecar.StartAsync();
        twilio = await FakeTwilio.StartAsync();
        notifier = DaprServiceHost<NotifierProgram>.Start(
            sidecar,
            time,
            new Dictionary<string, string?>
            {
                ["Proactive:Store"] = "Postgres",
                ["ConnectionStrings:Proactive"] = database,
                ["Proactive:Webhooks:PublicBaseUrl"] = PublicBaseUrl,
            },
            twilio: twilio);
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (notifier is not null)
        {
            await notifier.DisposeAsync();
        }

        await (sidecar?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (twilio?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    [Fact]
    public async Task ATextedReplyIsInTheSummaryAndTheCsvOnNotifiersHttpPort()
    {
        var ct = TestContext.Current.CancellationToken;
        var form = new List<KeyValuePair<string, string>>
        {
            new("MessageSid", "SM00000000000000000000000000000001"),
            new("AccountSid", FakeTwilio.AccountSid),
            new("From", ContractEvents.EnglishPhone),
            new("To", FakeTwilio.From),
            new("Body", "arrived damaged, box crushed"),
            new("NumMedia", "0"),
        };
        using (var response = await TwilioSigning.PostAsync(http, notifier.HttpAddress + InboundPath, PublicBaseUrl + InboundPath, form, FakeTwilio.AuthToken, ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        time.Advance(TimeSpan.FromSeconds(1)); // to (now) is exclusive
        var summary = await http.GetFromJsonAsync<JsonElement>($"{notifier.HttpAddress}/v1/voice/summary", ct);
        summary.GetProperty("totals").GetProperty("voiceItems").GetInt32().ShouldBe(1);
        var topic = summary.GetProperty("byTopic").EnumerateArray().ShouldHaveSingleItem();
        (topic.GetProperty("key").GetString(), topic.GetProperty("negative").GetInt32()).ShouldBe(("damaged", 1));

        using var csv = await http.GetAsync($"{notifier.HttpAddress}/v1/voice/replies.csv", ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var rows = CsvReader.Read((await csv.Content.ReadAsStringAsync(ct)).TrimStart('\uFEFF'));
        rows.Count.ShouldBe(2);
        rows[1][^1].ShouldBe("arrived damaged, box crushed");

        using var refused = await http.GetAsync($"{notifier.HttpAddress}/v1/voice/replies.csv?from=soon", ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
