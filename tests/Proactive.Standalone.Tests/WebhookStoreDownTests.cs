using System.Net;
using Microsoft.Data.Sqlite;
using Proactive.Tests.Shared;

namespace Proactive.Standalone.Tests;

/// <summary>A webhook that arrives while the store cannot be written is 503 (the provider retries it), not 500.</summary>
public sealed class WebhookStoreDownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EachWebhookAnswers503WithRetryAfterWhileTheStoreIsLocked()
    {
        var database = Path.Combine(Path.GetTempPath(), "proactive-tests", $"{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?>(InboundMessageTests.Webhooks) { ["ConnectionStrings:Proactive"] = $"Data Source={database};Default Timeout=1" };
        await using var host = await StandaloneHost.StartAsync(settings: settings);
        await using var blocker = new SqliteConnection($"Data Source={database};Pooling=False");
        await blocker.OpenAsync(Ct);
        using (var hold = blocker.CreateCommand())
        {
            hold.CommandText = "BEGIN EXCLUSIVE";
            await hold.ExecuteNonQueryAsync(Ct);
        }

        var status = FakeTwilio.StatusForm(new TwilioMessage(ContractEvents.KoreanPhone, FakeTwilio.From, "", "hi") { Sid = "SM00000000000000000000000000000001" }, "delivered");
        var statusPath = "/v1/webhooks/twilio/status";
        using var callback = await TwilioSigning.PostAsync(host.Client, statusPath, InboundMessageTests.PublicBase + statusPath, status, FakeTwilio.AuthToken, Ct);
        var inboundPath = "/v1/webhooks/twilio/inbound";
        var inbound = InboundMessageTests.InboundForm("SM00000000000000000000000000000002", ContractEvents.KoreanPhone, "where is it?");
        using var message = await TwilioSigning.PostAsync(host.Client, inboundPath, InboundMessageTests.PublicBase + inboundPath, inbound, FakeTwilio.AuthToken, Ct);
        var mail = new AcceptedMail("m-1", "kim@example.com", new Dictionary<string, string> { ["notice_id"] = "N-unknown" });
        using var events = await host.SendGrid.PostEventsAsync(host.Client, SendGridEventsTests.Path, [FakeSendGrid.Event(mail, "delivered", host.Time.GetUtcNow())], host.Time.GetUtcNow());

        foreach (var response in new[] { callback, message, events })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, response.RequestMessage?.RequestUri?.ToString());
            response.Headers.RetryAfter.ShouldNotBeNull();
        }
    }
}
