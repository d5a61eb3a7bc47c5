using System.Text.RegularExpressions;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>No phone number, email address or message text in clear in any log line or span.</summary>
public class PrivacyTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;

    [Fact]
    public async Task AFullScenarioLogsAndTracesNoContactDetailsOrMessageText()
    {
        using var telemetry = new CapturedTelemetry();
        await using var host = await StandaloneHost.StartAsync(logs: telemetry);
        host.Twilio.ReplyError(500, 20500, $"upstream trouble for {KoreanPhone}");
        host.Twilio.ReplyError(400, 21610, $"Attempt to send to unsubscribed recipient {EnglishPhone}");
        host.SendGrid.ReplyError(400, $"Does not contain a valid address: {EnglishEmail}", "personalizations.0.to.0.email");

        var badPhone = OrderPlaced("P-3", Now, Now.AddDays(2), id: "bad-phone-event");
        badPhone["data"]!["customer"]!["phone"] = "+82 10 5555 4444";
        await host.PostAsync("orders", badPhone);
        await host.AcceptAsync(
            OrderPlaced("P-1", Now.AddHours(-2), Now.AddDays(2)),
            ShipmentCreated("P-1", "S-1", Now.AddHours(-1), Now.AddDays(4)),
            OrderPlaced("P-2", Now.AddHours(-2), Now.AddDays(2), EnglishCustomer()),
            Tracking("P-2", "S-2", Now, "EXCEPTION", Now.AddDays(5), "ADDRESS_ISSUE"));
        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromMinutes(5));
        await host.NoticesAsync("P-1");
        await host.NoticesAsync("P-2");
        (await host.Client.PatchAsync(
            "/v1/customers/C-77/preferences",
            System.Net.Http.Json.JsonContent.Create(new { language = "en", timeZone = "Asia/Seoul" }),
            TestContext.Current.CancellationToken)).Dispose();
        (await host.Client.GetAsync("/v1/customers/C-88/preferences", TestContext.Current.CancellationToken)).Dispose();

        host.Twilio.Requests.ShouldBe(3);
        host.Twilio.Messages.Count.ShouldBe(1);
        var all = telemetry.All;
        all.ShouldContain("P-1");
        all.ShouldContain("bad-phone-event");
        var bodies = host.Twilio.Messages.Select(m => m.Body).Concat(host.SendGrid.Mails.Select(m => m.Text));
        foreach (var secret in new[] { KoreanPhone, KoreanEmail, EnglishPhone, EnglishEmail, "55554444", "배송이 늦어지고" }.Concat(bodies))
        {
            telemetry.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ShouldBeEmpty($"'{secret}' appears");
        }

        // The bad number's groups, alone or masked ("******4444"), but not inside another number: a
        // fake provider's port (44441) or a duration (0.5555 ms) may hold the same four digits.
        foreach (var group in new[] { "5555", "4444" })
        {
            var alone = new Regex($@"(?<![\d.]){group}(?!\d)");
            telemetry.Lines.Where(l => alone.IsMatch(l)).ShouldBeEmpty($"'{group}' appears");
        }
    }
}
