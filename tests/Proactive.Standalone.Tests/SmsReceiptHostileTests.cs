using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;
using Form = System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string>>;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Status callbacks that are not Twilio's, or not as Twilio signed them: refused (403, or 400,
/// 413, 415 before or after the signature), and nothing in Notifier's tables changes. Without a
/// public address the endpoint is not there at all. No contact detail reaches a log line.
/// </summary>
public sealed class SmsReceiptHostileTests
{
    private const string Order = "H-1";
    private const string FormType = "application/x-www-form-urlencoded";
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly string[] Tables =
        ["notifier_notices", "notifier_attempts", "notifier_receipts", "notifier_webhook_events", "notifier_preferences", "notifier_replies", "notifier_email_suppressions"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<TwilioMessage> SendSmsAsync(StandaloneHost host)
    {
        await host.AcceptAsync(OrderPlaced(Order, Now.AddHours(-2), Now.AddDays(2)), ShipmentCreated(Order, "S-1", Now.AddHours(-1), Now.AddDays(4)));
        await host.DrainAsync();
        return host.Twilio.Messages.ShouldHaveSingleItem();
    }

    /// <summary>Every row of Notifier's tables, as text.</summary>
    private static async Task<string> SnapshotAsync(StandaloneHost host) =>
        await host.Services.GetRequiredService<Database>().ReadAsync(
            async c =>
            {
                var text = new StringBuilder();
                foreach (var table in Tables)
                {
                    foreach (IDictionary<string, object?> row in await c.QueryAsync($"SELECT * FROM {table} ORDER BY 1"))
                    {
                        text.AppendLine($"{table}: {string.Join(" | ", row.Select(column => $"{column.Key}={column.Value}"))}");
                    }
                }

                return text.ToString();
            },
            Ct);

    private static HttpRequestMessage Post(string target, Form form, string? signature, string? contentType = FormType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(form) };
        request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature);
        }

        return request;
    }

    private static string Sign(string url, Form form, string token = FakeTwilio.AuthToken) => TwilioSigning.Sign(url, form, token);

    private static Form With(Form form, string key, string value) => [.. form.Select(p => p.Key == key ? new KeyValuePair<string, string>(key, value) : p)];

    /// <summary>A few hundred requests that must not change anything, each with the status it must get.</summary>
    private static IEnumerable<(string Case, HttpRequestMessage Request, HttpStatusCode Expected)> Hostile(TwilioMessage sms)
    {
        var url = sms.StatusCallback!;
        var form = FakeTwilio.StatusForm(sms, "delivered");
        var good = Sign(url, form);
        const HttpStatusCode Forbidden = HttpStatusCode.Forbidden;

        yield return ("unsigned", Post(url, form, null), Forbidden);
        yield return ("empty signature", Post(url, form, ""), Forbidden);
        for (var i = 0; i < 60; i++)
        {
            yield return ($"wrong token {i}", Post(url, form, Sign(url, form, $"{FakeTwilio.AuthToken}-{i}")), Forbidden);
        }

        foreach (var (key, value) in form)
        {
            yield return ($"{key} altered", Post(url, With(form, key, value + "0"), good), Forbidden);
            yield return ($"{key} one character changed", Post(url, With(form, key, value[..^1] + (value[^1] == '1' ? '2' : '1')), good), Forbidden);
            yield return ($"{key} emptied", Post(url, With(form, key, ""), good), Forbidden);
            yield return ($"{key} removed", Post(url, [.. form.Where(p => p.Key != key)], good), Forbidden);
            yield return ($"{key} repeated", Post(url, [.. form, new(key, value)], good), Forbidden);
            yield return ($"{key} repeated, signed over both", Post(url, [.. form, new(key, value)], Sign(url, [.. form, new(key, value)])), Forbidden);
            yield return ($"{key} in lower case", Post(url, [.. form.Select(p => p.Key == key ? new KeyValuePair<string, string>(key.ToLowerInvariant(), p.Value) : p)], good), Forbidden);
        }

        yield return ("delivered turned undelivered", Post(url, [.. With(form, "MessageStatus", "undelivered"), new("ErrorCode", "30003")], good), Forbidden);
        for (var i = 0; i < 30; i++)
        {
            yield return ($"parameter added {i}", Post(url, [.. form, new($"Extra{i}", "x")], good), Forbidden);
        }

        for (var i = 0; i < good.Length; i++)
        {
            var flipped = good.ToCharArray();
            flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
            yield return ($"signature character {i} changed", Post(url, form, new string(flipped)), Forbidden);
        }

        // Signed for another URL: another notice, another host, scheme, path or query.
        var otherNotice = url.Replace("notice=", "notice=X", StringComparison.Ordinal);
        yield return ("signature for another notice", Post(url, form, Sign(otherNotice, form)), Forbidden);
        yield return ("posted for another notice", Post(otherNotice, form, good), Forbidden);
        yield return ("no notice in the query", Post(url.Split('?')[0], form, good), Forbidden);
        foreach (var other in new[]
        {
            url.Replace("http://localhost", "http://evil.example", StringComparison.Ordinal),
            url.Replace("http://", "https://", StringComparison.Ordinal),
            url.Replace("/status?", "/status/?", StringComparison.Ordinal),
            url.Replace("/twilio/", "/Twilio/", StringComparison.Ordinal),
            url + "&extra=1",
            url.Split('?')[0],
            "http://localhost/v1/webhooks/twilio/inbound",
        })
        {
            yield return ($"signature for {other}", Post(url, form, Sign(other, form)), Forbidden);
        }

        // The request's own Host and forwarding headers are never trusted.
        var evil = url.Replace("http://localhost", "https://evil.example", StringComparison.Ordinal);
        var spoofedHost = Post(url, form, Sign(evil.Replace("https://", "http://", StringComparison.Ordinal), form));
        spoofedHost.Headers.Host = "evil.example";
        yield return ("Host spoofed", spoofedHost, Forbidden);
        var forwarded = Post(url, form, Sign(evil, form));
        forwarded.Headers.Add("X-Forwarded-Host", "evil.example");
        forwarded.Headers.Add("X-Forwarded-Proto", "https");
        yield return ("X-Forwarded-Host spoofed", forwarded, Forbidden);
        var forwardedFor = Post(url, form, Sign(evil, form));
        forwardedFor.Headers.Add("Forwarded", "host=evil.example;proto=https");
        yield return ("Forwarded spoofed", forwardedFor, Forbidden);

        var otherAccount = With(form, "AccountSid", "AC" + new string('9', 32));
        yield return ("signed for another account", Post(url, otherAccount, Sign(url, otherAccount)), Forbidden);
        var sha256 = Post(url, form, good);
        sha256.Headers.Add("X-Twilio-Webhooks-Signature-Settings", "key=x,algorithm=HMAC_SHA256");
        yield return ("SHA-1 signature claimed as SHA-256", sha256, Forbidden);

        // Signed properly, but not a status callback we can read: 400, nothing stored.
        foreach (var (name, bad) in new (string, Form)[]
        {
            ("MessageStatus not a word", With(form, "MessageStatus", "DELIVERED!")),
            ("ErrorCode not a number", [.. form, new("ErrorCode", "30003x")]),
            ("MessageSid not an id", With(form, "MessageSid", "SM 1/2")),
            ("no MessageStatus", [.. form.Where(p => p.Key != "MessageStatus")]),
        })
        {
            yield return (name, Post(url, bad, Sign(url, bad)), HttpStatusCode.BadRequest);
        }

        var twice = url + "&notice=" + url.Split("notice=")[1];
        yield return ("notice given twice", Post(twice, form, Sign(twice, form)), HttpStatusCode.BadRequest);

        foreach (var type in new[] { "application/json", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded-x" })
        {
            yield return ($"content type {type}", Post(url, form, good, type), HttpStatusCode.UnsupportedMediaType);
        }

        yield return ("no content type", Post(url, form, good, null), HttpStatusCode.UnsupportedMediaType);

        Form big = [.. form, new("Body", new string('x', 5000))];
        yield return ("too big", Post(url, big, Sign(url, big)), HttpStatusCode.RequestEntityTooLarge);
        var chunked = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('a', 5000)))) };
        chunked.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(FormType);
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.TryAddWithoutValidation("X-Twilio-Signature", good);
        yield return ("too big without a length", chunked, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task HundredsOfForgedOrAlteredCallbacksAreRefusedAndChangeNothing()
    {
        await using var host = await StandaloneHost.StartAsync(settings:
        [
            .. SmsReceiptTests.Webhooks(),
            new("Proactive:Webhooks:MaxBodyBytes", "4096"),
        ]);
        var sms = await SendSmsAsync(host);
        var before = await SnapshotAsync(host);

        var cases = Hostile(sms).ToList();
        cases.Count.ShouldBeGreaterThan(200);
        foreach (var (name, request, expected) in cases)
        {
            using (request)
            using (var response = await host.Client.SendAsync(request, Ct))
            {
                response.StatusCode.ShouldBe(expected, name);
            }
        }

        (await SnapshotAsync(host)).ShouldBe(before);

        // And the real one still works.
        using var real = await FakeTwilio.CallBackAsync(host.Client, sms, "delivered", ct: Ct);
        real.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SnapshotAsync(host)).ShouldNotBe(before);
    }

    [Fact]
    public async Task WithoutAPublicAddressSmsCarryNoStatusCallbackAndTheEndpointIsNotThere()
    {
        await using var host = await StandaloneHost.StartAsync();
        var sms = await SendSmsAsync(host);
        sms.StatusCallback.ShouldBeNull();
        var before = await SnapshotAsync(host);

        var url = "http://localhost/v1/webhooks/twilio/status?notice=x";
        var form = FakeTwilio.StatusForm(sms, "delivered");
        using var response = await TwilioSigning.PostAsync(host.Client, url, url, form, FakeTwilio.AuthToken, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SnapshotAsync(host)).ShouldBe(before);
    }

    [Fact]
    public async Task StatusCallbacksLogNoPhoneNumberOrMessageText()
    {
        using var telemetry = new CapturedTelemetry();
        var customer = KoreanCustomer();
        customer["channels"] = new System.Text.Json.Nodes.JsonArray("SMS");
        await using var host = await StandaloneHost.StartAsync(settings: SmsReceiptTests.Webhooks(), logs: telemetry);
        await host.AcceptAsync(OrderPlaced(Order, Now.AddHours(-2), Now.AddDays(2), customer), ShipmentCreated(Order, "S-1", Now.AddHours(-1), Now.AddDays(4)));
        await host.DrainAsync();
        var sms = host.Twilio.Messages.ShouldHaveSingleItem();

        foreach (var (status, code) in new (string, int?)[] { ("sent", null), ("undelivered", 30003), ("undelivered", 30003), ("failed", 21610) })
        {
            (await FakeTwilio.CallBackAsync(host.Client, sms, status, code, ct: Ct)).Dispose();
        }

        using (var forged = Post(sms.StatusCallback!, FakeTwilio.StatusForm(sms, "delivered"), "forged"))
        {
            (await host.Client.SendAsync(forged, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        await host.DrainAsync();

        host.SendGrid.Mails.ShouldHaveSingleItem();
        telemetry.All.ShouldContain(sms.Sid);
        telemetry.All.ShouldContain("signature mismatch");
        foreach (var secret in new[] { KoreanPhone, KoreanPhone[1..], KoreanEmail, FakeTwilio.From, sms.Body, host.SendGrid.Mails.Single().Text })
        {
            telemetry.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ShouldBeEmpty($"'{secret}' appears");
        }
    }
}
