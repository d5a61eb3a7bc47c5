using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Requests that are not SendGrid's signed events are refused before anything is read and change
/// nothing; without a verification key the endpoint is not there; no email address is ever logged.
/// </summary>
public class SendGridWebhookHostileTests
{
    private const string Path = SendGridEventsTests.Path;
    private const int MaxBody = 8192;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Every row of Notifier's tables, sorted: what a refused request must leave as it was.</summary>
    private static async Task<string> SnapshotAsync(StandaloneHost host)
    {
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        var lines = new List<string>();
        foreach (var table in new[] { "notifier_notices", "notifier_attempts", "notifier_receipts", "notifier_webhook_events", "notifier_preferences", "notifier_email_suppressions" })
        {
            await using var command = c.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                lines.Add($"{table}: {string.Join(" | ", values)}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>Forged, altered, replayed, mistyped and oversized requests, each with the status it must get.</summary>
    private static IEnumerable<(string What, byte[] Body, (string, string)[] Headers, string ContentType, HttpStatusCode Expected)> Forgeries(
        FakeSendGrid sendGrid, byte[] body, DateTimeOffset now)
    {
        const string sig = FakeSendGrid.SignatureHeader;
        const string ts = FakeSendGrid.TimestampHeader;
        var json = "application/json";
        var timestamp = Unix(now);
        var signature = sendGrid.Sign(timestamp, body);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        yield return ("unsigned", body, [], json, HttpStatusCode.Forbidden);
        yield return ("no signature", body, [(ts, timestamp)], json, HttpStatusCode.Forbidden);
        yield return ("no timestamp", body, [(sig, signature)], json, HttpStatusCode.Forbidden);
        yield return ("empty signature", body, [(sig, ""), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        yield return ("two signatures", body, [(sig, signature), (sig, signature), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        yield return ("two timestamps", body, [(sig, signature), (ts, timestamp), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        foreach (var garbage in new[] { "!!", "AAAA", "MEUCIQ==", "not base64", new string('A', 200), Convert.ToBase64String(new byte[72]) })
        {
            yield return ($"garbage signature {garbage}", body, [(sig, garbage), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        }

        foreach (var text in new[] { "now", "1.5", "-1", "0x10", "" })
        {
            yield return ($"timestamp '{text}'", body, [(sig, sendGrid.Sign(text, body)), (ts, text)], json, HttpStatusCode.Forbidden);
        }

        for (var i = 0; i < 20; i++)
        {
            yield return ($"wrong key {i}", body, [(sig, FakeSendGrid.Sign(otherKey, timestamp, body)), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        }

        for (var i = 0; i < body.Length; i += Math.Max(1, body.Length / 150))
        {
            var altered = body.ToArray();
            altered[i] ^= 0x20;
            yield return ($"byte {i} altered", altered, [(sig, signature), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        }

        yield return ("CRLF dropped", body[..^2], [(sig, signature), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        yield return ("event appended", [.. body[..^3], .. Encoding.UTF8.GetBytes(",{\"event\":\"unsubscribe\",\"sg_event_id\":\"x\"}]\r\n")], [(sig, signature), (ts, timestamp)], json, HttpStatusCode.Forbidden);
        foreach (var seconds in new[] { 1, -1, 60, -60, 299 })
        {
            yield return ($"signature for another timestamp {seconds}", body, [(sig, signature), (ts, Unix(now.AddSeconds(seconds)))], json, HttpStatusCode.Forbidden);
        }

        foreach (var seconds in new[] { 301, 600, 3600, 86400, 30 * 86400 })
        {
            var stale = Unix(now.AddSeconds(-seconds));
            yield return ($"stale {seconds} s", body, [(sig, sendGrid.Sign(stale, body)), (ts, stale)], json, HttpStatusCode.Forbidden);
            var future = Unix(now.AddSeconds(seconds));
            yield return ($"future {seconds} s", body, [(sig, sendGrid.Sign(future, body)), (ts, future)], json, HttpStatusCode.Forbidden);
        }

        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "application/jsonp", "multipart/form-data; boundary=x", "text/json" })
        {
            yield return ($"content type {type}", body, [(sig, signature), (ts, timestamp)], type, HttpStatusCode.UnsupportedMediaType);
        }

        var big = Encoding.UTF8.GetBytes($"[{string.Join(',', Enumerable.Repeat("{\"event\":\"unsubscribe\",\"sg_event_id\":\"x\"}", MaxBody / 40 + 1))}]");
        yield return ("too big", big, [(sig, sendGrid.Sign(timestamp, big)), (ts, timestamp)], json, HttpStatusCode.RequestEntityTooLarge);
        yield return ("too big unsigned", big, [], json, HttpStatusCode.RequestEntityTooLarge);
        foreach (var text in new[] { "{\"event\":\"unsubscribe\",\"sg_event_id\":\"x\"}", "\"events\"", "null", "42", "[{\"event\":\"delivered\"", "[1,2,3]", "[{\"sg_event_id\":\"x\"}]", "" })
        {
            var malformed = Encoding.UTF8.GetBytes(text);
            yield return ($"signed but malformed: {text}", malformed, [(sig, sendGrid.Sign(timestamp, malformed)), (ts, timestamp)], json, HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task HundredsOfForgedRequestsAreRefusedAndChangeNothing()
    {
        await using var host = await StandaloneHost.StartAsync(settings: [new("Proactive:Webhooks:MaxBodyBytes", MaxBody.ToString(CultureInfo.InvariantCulture))]);
        var email = await SendGridEventsTests.ToldAsync(host, "H-1");
        var now = host.Time.GetUtcNow();
        var mail = host.SendGrid.MailOf(email);
        var body = FakeSendGrid.Body(
        [
            FakeSendGrid.Event(mail, "bounce", now, "bounce-1", ("type", "bounce"), ("reason", "550 user unknown")),
            FakeSendGrid.Event(mail, "unsubscribe", now, "unsubscribe-1"),
        ]);
        var before = await SnapshotAsync(host);

        var forgeries = Forgeries(host.SendGrid, body, now).ToList();
        foreach (var (what, forged, headers, contentType, expected) in forgeries)
        {
            using var response = await FakeSendGrid.PostRawAsync(host.Client, Path, forged, headers, contentType);
            response.StatusCode.ShouldBe(expected, what);
        }

        forgeries.Count.ShouldBeGreaterThan(200);
        (await SnapshotAsync(host)).ShouldBe(before);

        // The same body, signed as SendGrid signs it, is taken: the refusals were the forgeries'.
        using var genuine = await FakeSendGrid.PostRawAsync(
            host.Client, Path, body, [(FakeSendGrid.SignatureHeader, host.SendGrid.Sign(Unix(now), body)), (FakeSendGrid.TimestampHeader, Unix(now))]);
        genuine.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SnapshotAsync(host)).ShouldNotBe(before);
        (await SendGridEventsTests.EmailAsync(host, "H-1")).GetProperty("status").GetString().ShouldBe("undelivered");
    }

    [Fact]
    public async Task WithoutAVerificationKeyTheEndpointIsNotThere()
    {
        await using var host = await StandaloneHost.StartAsync(settings: [new("Proactive:Webhooks:SendGrid:PublicKey", "")]);
        var email = await SendGridEventsTests.ToldAsync(host, "H-1");

        using var response = await host.SendGrid.PostEventsAsync(
            host.Client, Path, [FakeSendGrid.Event(host.SendGrid.MailOf(email), "delivered", host.Time.GetUtcNow())], host.Time.GetUtcNow());

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SendGridEventsTests.EmailAsync(host, "H-1")).GetProperty("status").GetString().ShouldBe("sent");
    }

    [Fact]
    public async Task NoEmailAddressAppearsInAnyLogLine()
    {
        using var telemetry = new CapturedTelemetry();
        await using var host = await StandaloneHost.StartAsync(logs: telemetry);
        var email = await SendGridEventsTests.ToldAsync(host, "H-1");
        var mail = host.SendGrid.MailOf(email);
        var now = host.Time.GetUtcNow();
        var noId = FakeSendGrid.Event(mail, "bounce", now);
        noId.Remove("sg_event_id");

        using var taken = await host.SendGrid.PostEventsAsync(host.Client, Path,
        [
            FakeSendGrid.Event(mail, "delivered", now),
            FakeSendGrid.Event(mail, "bounce", now, extra: [("type", "bounce"), ("reason", $"550 5.1.1 <{KoreanEmail}>: unknown")]),
            FakeSendGrid.Event(mail, "unsubscribe", now),
            noId,
        ], now);
        taken.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var refused = await FakeSendGrid.PostRawAsync(host.Client, Path, Encoding.UTF8.GetBytes($"[{{\"email\":\"{KoreanEmail}\"}}]"), []);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var malformedBody = Encoding.UTF8.GetBytes($"[{{\"email\":\"{EnglishEmail}\"}}]");
        using var malformed = await FakeSendGrid.PostRawAsync(
            host.Client, Path, malformedBody, [(FakeSendGrid.SignatureHeader, host.SendGrid.Sign(Unix(now), malformedBody)), (FakeSendGrid.TimestampHeader, Unix(now))]);
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await host.AcceptAsync(Tracking("H-1", "S-1", now, "IN_TRANSIT", new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.FromHours(9))));
        await host.DrainAsync();

        telemetry.All.ShouldContain("SendGrid event");
        foreach (var secret in new[] { KoreanEmail, EnglishEmail, "minji@", "alex@" })
        {
            telemetry.Lines.Where(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty($"'{secret}' appears");
        }
    }

    [Fact]
    public async Task AVerificationKeyThatIsNotP256StopsTheHostNamingTheKey()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var (exitCode, output) = await StartRefusals.RunAsync(("Proactive:Webhooks:SendGrid:PublicKey", Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo())));

        exitCode.ShouldBe(1);
        output.ShouldContain("Proactive:Webhooks:SendGrid:PublicKey is not SendGrid's verification key (base64 or PEM, ECDSA P-256)");
    }
}
