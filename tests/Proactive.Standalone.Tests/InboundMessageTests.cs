using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Customers texting back (STOP, START, HELP, their own words), end to end: on SQLite.</summary>
public sealed class InboundMessageTestsOnSqlite : InboundMessageTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class InboundMessageTestsOnPostgres : InboundMessageTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract class InboundMessageTests : IAsyncLifetime
{
    public const string PublicBase = "https://hooks.shop.example";
    public const string InboundPath = "/v1/webhooks/twilio/inbound";
    private const string Order = "R-1";
    private const string Customer = "C-77";
    private const string EmptyResponse = "<Response></Response>";
    private static readonly DateTimeOffset Now = StandaloneHost.Start; // 10:00 in Seoul
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;
    private int sids;

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Dictionary<string, string?> Webhooks => new() { ["Proactive:Webhooks:PublicBaseUrl"] = PublicBase };

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store, settings: Webhooks);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    /// <summary>An inbound message as Twilio posts it (parameters of a real one), for <see cref="TwilioSigning"/> to sign.</summary>
    public static List<KeyValuePair<string, string>> InboundForm(string sid, string from, string body, string? optOutType = null)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("ToCountry", "US"),
            new("SmsMessageSid", sid),
            new("NumMedia", "0"),
            new("SmsSid", sid),
            new("SmsStatus", "received"),
            new("Body", body),
            new("To", FakeTwilio.From),
            new("NumSegments", "1"),
            new("MessageSid", sid),
            new("AccountSid", FakeTwilio.AccountSid),
            new("From", from),
            new("ApiVersion", "2010-04-01"),
        };
        if (optOutType is not null)
        {
            form.Add(new("OptOutType", optOutType));
        }

        return form;
    }

    private string NextSid() => $"SM{Interlocked.Increment(ref sids):D32}";

    private async Task<(HttpStatusCode Status, string? ContentType, string Body)> SendInboundAsync(string from, string body, string? optOutType = null, string? sid = null)
    {
        using var response = await TwilioSigning.PostAsync(
            host.Client, InboundPath, PublicBase + InboundPath, InboundForm(sid ?? NextSid(), from, body, optOutType), FakeTwilio.AuthToken, Ct);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync(Ct));
    }

    private static JsonObject SmsOnly()
    {
        var customer = KoreanCustomer();
        customer["channels"] = new JsonArray("SMS");
        return customer;
    }

    private static JsonObject[] Scenario(JsonObject? customer = null, string order = Order) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, customer, id: $"{order}-placed"),
        ShipmentCreated(order, "S-1", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, "S-1", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    /// <summary>The order is late and the customer got our SMS (to <see cref="KoreanPhone"/>).</summary>
    private async Task TextedAsync(JsonObject? customer = null)
    {
        await host.AcceptAsync(Scenario(customer ?? SmsOnly()));
        await host.DrainAsync();
        host.Twilio.Messages.ShouldHaveSingleItem().To.ShouldBe(KoreanPhone);
    }

    /// <summary>The estimate slips two more days: news worth telling again.</summary>
    private async Task FurtherDelayAsync(int days = 2)
    {
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddDays(days), id: $"{Order}-slip-{days}"));
        await host.DrainAsync();
    }

    private async Task<JsonElement> PreferencesAsync() =>
        await host.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{Customer}/preferences", Ct);

    private async Task<List<JsonElement>> OrderRepliesAsync(string order = Order) =>
        (await host.Client.GetFromJsonAsync<JsonElement>($"/v1/orders/{order}/replies", Ct)).GetProperty("replies").EnumerateArray().ToList();

    private async Task<JsonElement> RepliesSinceAsync(string query) =>
        await host.Client.GetFromJsonAsync<JsonElement>($"/v1/replies?{query}", Ct);

    private static void ShouldBeEmptyTwiML((HttpStatusCode Status, string? ContentType, string Body) answer)
    {
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        answer.ContentType.ShouldNotBeNull().ShouldStartWith("text/xml");
        answer.Body.ShouldEndWith(EmptyResponse);
        answer.Body.ShouldNotContain("<Message");
    }

    [Theory]
    [InlineData("STOP", null, false)]
    [InlineData(" stop ", null, false)]
    [InlineData("중지", null, true)]
    [InlineData("수신거부", null, true)]
    [InlineData("ＳＴＯＰ", null, false)]
    [InlineData("그만 보내세요", "STOP", false)]
    [InlineData("중지", "STOP", false)]
    public async Task StopInEitherLanguageStopsSmsAndTheNextNewsGoesByEmail(string body, string? optOutType, bool weConfirm)
    {
        await TextedAsync();

        var answer = await SendInboundAsync(KoreanPhone, body, optOutType);
        if (weConfirm)
        {
            // Twilio does not know this word, so it sent no confirmation: we do, in Korean.
            answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
            answer.Body.ShouldContain("<Message>");
            answer.Body.ShouldContain("수신이 거부되었습니다");
        }
        else
        {
            ShouldBeEmptyTwiML(answer);
        }

        var optOut = (await PreferencesAsync()).GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem();
        optOut.GetProperty("channel").GetString().ShouldBe("SMS");
        optOut.GetProperty("source").GetString().ShouldBe("twilio STOP");
        await FurtherDelayAsync();
        host.Twilio.Messages.Count.ShouldBe(1);
        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
        (await OrderRepliesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task StartAfterStopTextsAgain()
    {
        await TextedAsync();
        ShouldBeEmptyTwiML(await SendInboundAsync(KoreanPhone, "STOP"));
        await FurtherDelayAsync(2);
        host.Twilio.Messages.Count.ShouldBe(1);

        ShouldBeEmptyTwiML(await SendInboundAsync(KoreanPhone, "start"));

        (await PreferencesAsync()).GetProperty("optOuts").GetArrayLength().ShouldBe(0);
        await host.AdvanceAsync(TimeSpan.FromHours(25)); // past the order's cap of two notices a day
        await FurtherDelayAsync(4);
        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.Last().To.ShouldBe(KoreanPhone);
    }

    [Fact]
    public async Task StopWithdrawsTheSmsHeldOvernightAndItsNewsGoesByEmail()
    {
        await TextedAsync();

        // 22:30 in Seoul: the next SMS waits for the morning.
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await FurtherDelayAsync();
        var held = (await host.NoticesAsync(Order)).EnumerateArray().Last();
        held.GetProperty("status").GetString().ShouldBe("deferred");

        (await SendInboundAsync(KoreanPhone, "수신거부")).Body.ShouldContain("수신이 거부되었습니다");
        await host.DrainAsync();

        var notices = (await host.NoticesAsync(Order)).EnumerateArray().ToList();
        var withdrawn = notices.Single(n => n.GetProperty("noticeId").GetString() == held.GetProperty("noticeId").GetString());
        withdrawn.GetProperty("status").GetString().ShouldBe("suppressed");
        withdrawn.GetProperty("why").GetString()!.ShouldContain("fell back to email");
        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
        notices.Single(n => n.GetProperty("fallbackFor").GetString() == held.GetProperty("noticeId").GetString())
            .GetProperty("status").GetString().ShouldBe("sent");
        await host.AdvanceAsync(TimeSpan.FromHours(10));
        host.Twilio.Messages.Count.ShouldBe(1);
    }

    [Fact]
    public async Task HelpIsAnsweredInTheCustomersLanguageUnlessTwilioAlreadyDid()
    {
        await TextedAsync();

        var help = await SendInboundAsync(KoreanPhone, "help");
        help.Status.ShouldBe(HttpStatusCode.OK);
        help.ContentType.ShouldNotBeNull().ShouldStartWith("text/xml");
        help.Body.ShouldContain("<Message>");
        help.Body.ShouldContain("중지");
        help.Body.ShouldContain("START");

        ShouldBeEmptyTwiML(await SendInboundAsync(KoreanPhone, "HELP", "HELP"));

        var stranger = await SendInboundAsync(EnglishPhone, "INFO");
        stranger.Body.ShouldContain("<Message>");
        stranger.Body.ShouldContain("Reply STOP to unsubscribe");
        (await PreferencesAsync()).GetProperty("optOuts").GetArrayLength().ShouldBe(0);
        (await OrderRepliesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task TheConfiguredHelpReplyIsUsed()
    {
        await using var custom = await StandaloneHost.StartAsync(
            store: Store, settings: new Dictionary<string, string?>(Webhooks) { ["Proactive:Webhooks:Twilio:HelpReply"] = "Shop help: 1588-0000" });
        using var response = await TwilioSigning.PostAsync(
            custom.Client, InboundPath, PublicBase + InboundPath, InboundForm("SMhelp", KoreanPhone, "HELP"), FakeTwilio.AuthToken, Ct);

        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("<Message>Shop help: 1588-0000</Message>");
    }

    [Fact]
    public async Task AFreeTextReplyIsKeptForItsOrderAndNoticeAndReadableSince()
    {
        await TextedAsync();
        var sms = (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        host.Time.Advance(TimeSpan.FromMinutes(30));
        var sid = NextSid();

        ShouldBeEmptyTwiML(await SendInboundAsync(KoreanPhone, "where is it?", sid: sid));
        ShouldBeEmptyTwiML(await SendInboundAsync(KoreanPhone, "where is it?", sid: sid));

        var reply = (await OrderRepliesAsync()).ShouldHaveSingleItem();
        reply.GetProperty("body").GetString().ShouldBe("where is it?");
        reply.GetProperty("orderId").GetString().ShouldBe(Order);
        reply.GetProperty("noticeId").GetString().ShouldBe(sms.GetProperty("noticeId").GetString());
        reply.GetProperty("customerId").GetString().ShouldBe(Customer);
        reply.GetProperty("channel").GetString().ShouldBe("SMS");
        reply.GetProperty("sender").GetString().ShouldBe("+82******5678");
        DateTimeOffset.Parse(reply.GetProperty("receivedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(host.Time.GetUtcNow());

        var since = await RepliesSinceAsync($"since={Uri.EscapeDataString(Ts(Now.ToOffset(TimeSpan.FromHours(9))))}");
        since.GetProperty("replies").EnumerateArray().ShouldHaveSingleItem().GetProperty("replyId").GetString().ShouldBe(reply.GetProperty("replyId").GetString());
        (await RepliesSinceAsync($"since={Uri.EscapeDataString(Ts(host.Time.GetUtcNow().AddSeconds(1)))}")).GetProperty("replies").GetArrayLength().ShouldBe(0);
        (await PreferencesAsync()).GetProperty("optOuts").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AReplyFromANumberWeNeverWroteToIsKeptUnlinked()
    {
        ShouldBeEmptyTwiML(await SendInboundAsync("+447700900123", "Who is this?"));

        var reply = (await RepliesSinceAsync("since=2026-01-01T00:00:00Z")).GetProperty("replies").EnumerateArray().ShouldHaveSingleItem();
        reply.GetProperty("body").GetString().ShouldBe("Who is this?");
        reply.GetProperty("sender").GetString().ShouldBe("+44******0123");
        (reply.TryGetProperty("orderId", out var o) ? o.GetString() : "").ShouldBe("");
        (reply.TryGetProperty("customerId", out var c) ? c.GetString() : "").ShouldBe("");
    }

    [Fact]
    public async Task RepliesArePagedOldestFirstWithACursor()
    {
        for (var i = 0; i < 5; i++)
        {
            await SendInboundAsync(EnglishPhone, $"message {i}");
            if (i % 2 == 1)
            {
                host.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var bodies = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await RepliesSinceAsync($"since=2026-11-24T00:00:00Z&pageSize=2&pageToken={token}");
            bodies.AddRange(page.GetProperty("replies").EnumerateArray().Select(r => r.GetProperty("body").GetString()!));
            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString()! : "";
            pages++;
        }
        while (token.Length > 0);

        bodies.ShouldBe(["message 0", "message 1", "message 2", "message 3", "message 4"]);
        pages.ShouldBe(3);
    }

    [Theory]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-11-24T10:00:00", "since")]
    [InlineData("since=2026-11-24", "since")]
    [InlineData("pageSize=-1", "page_size")]
    [InlineData("pageSize=501", "page_size")]
    [InlineData("pageToken=bm9wZQ", "page_token")]
    [InlineData("since=2026-11-24T00:00:00Z&pageToken=MTcwMDAwMDAwMDAwMHx0d2lsaW86U00xAA", "page_token")] // a NUL PostgreSQL refuses
    [InlineData("since=2026-11-24T00:00:00Z&pageToken=MTcwMDAwMDAwMDAwMHx0d2lsaW86U00xG3g", "page_token")]
    [InlineData("since=2026-11-24T00:00:00Z&pageToken=MTcwMDAwMDAwMDAwMHx0d2lsaW86eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg", "page_token")]
    public async Task ABadQueryIsRefusedNamingTheField(string query, string field)
    {
        using var response = await host.Client.GetAsync($"/v1/replies?{query}", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(field);
    }

    [Theory]
    [InlineData("MessageSid")]
    [InlineData("From")]
    [InlineData("Body")]
    public async Task ASignedMessageWithoutARequiredFieldIs400NamingIt(string field)
    {
        var form = InboundForm(NextSid(), KoreanPhone, "where is it?").Where(p => p.Key != field).ToList();
        using var response = await TwilioSigning.PostAsync(host.Client, InboundPath, PublicBase + InboundPath, form, FakeTwilio.AuthToken, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(field);
        (await CountAsync("notifier_replies")).ShouldBe(0);
    }

    [Fact]
    public async Task ABodyWithNulAndOverTwilioLengthIsKeptBounded()
    {
        ShouldBeEmptyTwiML(await SendInboundAsync(EnglishPhone, "a\0b" + new string('x', 2000)));

        var body = (await RepliesSinceAsync("")).GetProperty("replies").EnumerateArray().Single().GetProperty("body").GetString()!;
        body.Length.ShouldBe(1600);
        body.ShouldStartWith("a\uFFFDb");
    }

    [Fact]
    public async Task BehindAProxyTheSignatureIsCheckedAgainstThePublicAddressNotTheRequestsHost()
    {
        var form = InboundForm(NextSid(), KoreanPhone, "proxied");
        async Task<HttpStatusCode> PostAsync(string signedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, InboundPath) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Host = "internal.svc:8080";
            request.Headers.Add("X-Forwarded-Host", "evil.example");
            request.Headers.Add("X-Forwarded-Proto", "http");
            request.Headers.Add("X-Twilio-Signature", TwilioSigning.Sign(signedFor, form, FakeTwilio.AuthToken));
            using var response = await host.Client.SendAsync(request, Ct);
            return response.StatusCode;
        }

        (await PostAsync("https://evil.example" + InboundPath)).ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync("http://internal.svc:8080" + InboundPath)).ShouldBe(HttpStatusCode.Forbidden);
        (await CountAsync("notifier_replies")).ShouldBe(0);
        (await PostAsync(PublicBase + InboundPath)).ShouldBe(HttpStatusCode.OK);
        (await CountAsync("notifier_replies")).ShouldBe(1);
    }

    [Fact]
    public async Task HundredsOfForgedOrAlteredRequestsAreRefusedAndChangeNothing()
    {
        await TextedAsync();
        var before = await SnapshotAsync();
        var refused = 0;
        foreach (var forged in ForgedRequests())
        {
            using var response = await host.Client.SendAsync(forged, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, forged.ToString());
            refused++;
        }

        refused.ShouldBeGreaterThan(300);
        (await SnapshotAsync()).ShouldBe(before);
        (await PreferencesAsync()).GetProperty("optOuts").GetArrayLength().ShouldBe(0);
        (await RepliesSinceAsync("")).GetProperty("replies").GetArrayLength().ShouldBe(0);
        await FurtherDelayAsync();
        host.Twilio.Messages.Count.ShouldBe(2);
    }

    /// <summary>STOP and a reply, each unsigned, signed with another token or for another URL, or altered after signing in every way.</summary>
    private IEnumerable<HttpRequestMessage> ForgedRequests()
    {
        HttpRequestMessage Post(IEnumerable<KeyValuePair<string, string>> form, string? signature, string path = InboundPath, params (string Name, string Value)[] headers)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature);
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return request;
        }

        const string url = PublicBase + InboundPath;
        foreach (var body in new[] { "STOP", "중지", "START", "where is it?" })
        {
            var form = InboundForm(NextSid(), KoreanPhone, body);
            var signature = TwilioSigning.Sign(url, form, FakeTwilio.AuthToken);
            yield return Post(form, null);
            yield return Post(form, "");
            yield return Post(form, TwilioSigning.Sign(url, form, "another-token"));
            yield return Post(form, TwilioSigning.Sign("https://hooks.shop.example.evil" + InboundPath, form, FakeTwilio.AuthToken));
            yield return Post(form, TwilioSigning.Sign(url + "?x=1", form, FakeTwilio.AuthToken));
            yield return Post(form, signature, InboundPath + "?x=1");
            yield return Post(form, signature, "/v1/webhooks/twilio/inbound/");
            yield return Post(form, signature + signature);
            yield return Post(form, signature, InboundPath, ("X-Twilio-Signature", signature));
            yield return Post(form, signature, InboundPath, ("X-Twilio-Webhooks-Signature-Settings", "key=k,algorithm=HMAC_SHA256"));
            yield return Post(form, signature, InboundPath, ("X-Twilio-Webhooks-Signature-Settings", "algorithm=none"));
            var bytes = Convert.FromBase64String(signature);
            for (var bit = 0; bit < bytes.Length * 8; bit += 3)
            {
                var flipped = (byte[])bytes.Clone();
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                yield return Post(form, Convert.ToBase64String(flipped));
            }

            for (var i = 0; i < form.Count; i++)
            {
                var changed = form.ToList();
                changed[i] = new(changed[i].Key, changed[i].Value + "x");
                yield return Post(changed, signature);
                yield return Post(form.Where((_, j) => j != i), signature);
                var renamed = form.ToList();
                renamed[i] = new(renamed[i].Key.ToLowerInvariant(), renamed[i].Value);
                yield return Post(renamed, signature);
            }

            yield return Post(form.Append(new("Extra", "1")), signature);
            yield return Post(form.Append(new("Body", "START")), TwilioSigning.Sign(url, form.Append(new("Body", "START")), FakeTwilio.AuthToken));
            yield return Post(form.Select(p => p.Key == "Body" ? new KeyValuePair<string, string>(p.Key, p.Value.ToLowerInvariant() + " ") : p), signature);
        }
    }

    private async Task<long> CountAsync(string table)
    {
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        return await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    private async Task<string> SnapshotAsync()
    {
        var counts = new StringBuilder();
        foreach (var table in new[] { "notifier_webhook_events", "notifier_replies", "notifier_preferences", "notifier_notices", "notifier_attempts" })
        {
            counts.Append(table).Append('=').Append(await CountAsync(table)).Append(' ');
        }

        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        counts.Append(string.Join(',', await c.QueryAsync<string>("SELECT notice_id || ':' || status FROM notifier_notices ORDER BY notice_id")));
        return counts.ToString();
    }

    [Fact]
    public async Task NoPhoneNumberOrMessageTextInAnyLogLine()
    {
        using var telemetry = new CapturedTelemetry();
        await using var logged = await StandaloneHost.StartAsync(store: Store, settings: Webhooks, logs: telemetry);
        await logged.AcceptAsync(Scenario(SmsOnly()));
        await logged.DrainAsync();
        var bodies = new[] { "where is my parcel Gangnam", "STOP", "HELP", "START", "중지" };
        var i = 0;
        foreach (var body in bodies)
        {
            using var response = await TwilioSigning.PostAsync(
                logged.Client, InboundPath, PublicBase + InboundPath, InboundForm($"SMlog{i++}", KoreanPhone, body), FakeTwilio.AuthToken, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using (var forged = await TwilioSigning.PostAsync(
            logged.Client, InboundPath, PublicBase + InboundPath, InboundForm("SMforged", EnglishPhone, "secret words"), "wrong-token", Ct))
        {
            forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        telemetry.All.ShouldContain("SMlog0");
        foreach (var secret in new[] { KoreanPhone, EnglishPhone, "1012345678", "where is my parcel", "Gangnam", "secret words" })
        {
            telemetry.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ShouldBeEmpty($"'{secret}' appears");
        }
    }

    [Fact]
    public async Task WithoutAPublicAddressTheEndpointIsNotThere()
    {
        await using var closed = await StandaloneHost.StartAsync(store: Store);
        using var response = await TwilioSigning.PostAsync(
            closed.Client, InboundPath, "http://localhost" + InboundPath, InboundForm("SMclosed", KoreanPhone, "STOP"), FakeTwilio.AuthToken, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TooBigOrNotAFormIsRefusedBeforeTheSignature()
    {
        var big = InboundForm(NextSid(), KoreanPhone, new string('x', 2 * 1024 * 1024));
        using (var response = await TwilioSigning.PostAsync(host.Client, InboundPath, PublicBase + InboundPath, big, FakeTwilio.AuthToken, Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }

        using var json = new HttpRequestMessage(HttpMethod.Post, InboundPath) { Content = JsonContent.Create(new { Body = "STOP", From = KoreanPhone }) };
        json.Headers.Add("X-Twilio-Signature", TwilioSigning.Sign(PublicBase + InboundPath, [], FakeTwilio.AuthToken));
        using (var response = await host.Client.SendAsync(json, Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        }

        (await CountAsync("notifier_webhook_events")).ShouldBe(0);
    }
}
