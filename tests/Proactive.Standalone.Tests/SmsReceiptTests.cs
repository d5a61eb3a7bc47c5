using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Twilio status callbacks end to end, on SQLite.</summary>
public sealed class SmsReceiptTestsOnSqlite : SmsReceiptTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class SmsReceiptTestsOnPostgres : SmsReceiptTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// The fake Twilio reports on the SMS it accepted, as Twilio does: a signed form POST to the
/// StatusCallback URL the SMS carried. The host's public address is its own in-memory one
/// (http://localhost), so the URL the fake captured reaches it.
/// </summary>
public abstract class SmsReceiptTests : IAsyncLifetime
{
    public const string PublicBaseUrl = "http://localhost";
    private const string Order = "R-1";
    private static readonly DateTimeOffset Now = StandaloneHost.Start;

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    public static IEnumerable<KeyValuePair<string, string?>> Webhooks() => [new("Proactive:Webhooks:PublicBaseUrl", PublicBaseUrl)];

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(settings: Webhooks(), store: Store);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private static JsonObject[] Scenario(JsonObject? customer = null) =>
    [
        OrderPlaced(Order, Now.AddHours(-2), Now.AddDays(2), customer),
        ShipmentCreated(Order, "S-1", Now.AddHours(-1), Now.AddDays(4)),
    ];

    private static JsonObject SmsOnly()
    {
        var customer = KoreanCustomer();
        customer["channels"] = new JsonArray("SMS");
        return customer;
    }

    private async Task<TwilioMessage> SendSmsAsync(JsonObject? customer = null)
    {
        await host.AcceptAsync(Scenario(customer));
        await host.DrainAsync();
        return host.Twilio.Messages.ShouldHaveSingleItem();
    }

    private async Task CallBackAsync(TwilioMessage sms, string status, int? errorCode = null)
    {
        using var response = await FakeTwilio.CallBackAsync(host.Client, sms, status, errorCode, host.Time.GetUtcNow().AddMinutes(-1), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private async Task<JsonElement> NoticeAsync(string channel) =>
        (await host.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == channel);

    private static List<string> Statuses(JsonElement notice) =>
        notice.GetProperty("receipts").EnumerateArray().Select(r => r.GetProperty("status").GetString()!).ToList();

    private async Task<long> CountAsync(string table) =>
        await host.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"), TestContext.Current.CancellationToken);

    [Fact]
    public async Task EachSmsCarriesItsNoticesStatusCallbackUnderThePublicAddress()
    {
        var sms = await SendSmsAsync();

        var notice = await NoticeAsync("SMS");
        sms.StatusCallback.ShouldBe($"{PublicBaseUrl}/v1/webhooks/twilio/status?notice={Uri.EscapeDataString(notice.GetProperty("noticeId").GetString()!)}");
    }

    [Fact]
    public async Task SentThenDeliveredEndsDeliveredAndTheNoticesApiShowsBothReceiptsWithTimes()
    {
        var sms = await SendSmsAsync();
        host.Time.Advance(TimeSpan.FromSeconds(5));
        await CallBackAsync(sms, "sent");
        (await NoticeAsync("SMS")).GetProperty("status").GetString().ShouldBe("sent");

        host.Time.Advance(TimeSpan.FromSeconds(5));
        await CallBackAsync(sms, "delivered");

        var notice = await NoticeAsync("SMS");
        notice.GetProperty("status").GetString().ShouldBe("delivered");
        var receipts = notice.GetProperty("receipts").EnumerateArray().ToList();
        receipts.Select(r => r.GetProperty("status").GetString()).ShouldBe(["sent", "delivered"]);
        receipts.ShouldAllBe(r => r.GetProperty("provider").GetString() == "twilio");
        receipts[0].GetProperty("receivedAt").GetDateTimeOffset().ShouldBe(Now.AddSeconds(5));
        receipts[1].GetProperty("receivedAt").GetDateTimeOffset().ShouldBe(Now.AddSeconds(10));
        receipts[1].GetProperty("occurredAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2026, 11, 24, 0, 59, 0, TimeSpan.Zero)); // RawDlrDoneDate: the carrier's minute
        (await NoticeAsync("EMAIL")).GetProperty("receipts").EnumerateArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task ALateSentAfterDeliveredChangesNothing()
    {
        var sms = await SendSmsAsync();

        await CallBackAsync(sms, "delivered");
        await CallBackAsync(sms, "sent");

        var notice = await NoticeAsync("SMS");
        notice.GetProperty("status").GetString().ShouldBe("delivered");
        Statuses(notice).ShouldBe(["delivered", "sent"]);
    }

    [Fact]
    public async Task TheFirstFinalReceiptWins()
    {
        var sms = await SendSmsAsync(SmsOnly());

        await CallBackAsync(sms, "delivered");
        await CallBackAsync(sms, "undelivered", 30003);
        await host.DrainAsync();

        (await NoticeAsync("SMS")).GetProperty("status").GetString().ShouldBe("delivered");
        host.SendGrid.Mails.ShouldBeEmpty();
    }

    [Fact]
    public async Task EveryCallbackTwiceAndConcurrentlyGivesOneReceiptPerEvent()
    {
        var sms = await SendSmsAsync();

        var calls = Enumerable.Range(0, 4).SelectMany(_ => new[] { "queued", "sent", "delivered" })
            .Select(async status =>
            {
                using var response = await FakeTwilio.CallBackAsync(host.Client, sms, status, ct: TestContext.Current.CancellationToken);
                return response.StatusCode;
            });
        (await Task.WhenAll(calls)).ShouldAllBe(s => s == HttpStatusCode.OK);

        var notice = await NoticeAsync("SMS");
        notice.GetProperty("status").GetString().ShouldBe("delivered");
        Statuses(notice).Order().ShouldBe(["delivered", "queued", "sent"]);
        (await CountAsync("notifier_webhook_events")).ShouldBe(3);
        (await CountAsync("notifier_receipts")).ShouldBe(3);
    }

    [Fact]
    public async Task Undelivered30003SendsTheSameNewsByEmailOnceEvenWhenRepeated()
    {
        var sms = await SendSmsAsync(SmsOnly());
        host.SendGrid.Mails.ShouldBeEmpty();

        await CallBackAsync(sms, "undelivered", 30003);
        await CallBackAsync(sms, "undelivered", 30003);
        await host.DrainAsync();
        await CallBackAsync(sms, "undelivered", 30003);
        await CallBackAsync(sms, "failed", 30003);
        await host.DrainAsync();

        var mail = host.SendGrid.Mails.ShouldHaveSingleItem();
        mail.To.ShouldBe(KoreanEmail);
        mail.Text.ShouldContain("배송이 늦어지고 있어요");
        var smsNotice = await NoticeAsync("SMS");
        smsNotice.GetProperty("status").GetString().ShouldBe("undelivered");
        smsNotice.GetProperty("providerCode").GetString().ShouldBe("30003");
        smsNotice.GetProperty("why").GetString()!.ShouldContain("fell back to email");
        Statuses(smsNotice).Order().ShouldBe(["failed", "undelivered"]);
        smsNotice.GetProperty("receipts")[0].GetProperty("code").GetString().ShouldBe("30003");
        var email = await NoticeAsync("EMAIL");
        email.GetProperty("status").GetString().ShouldBe("sent");
        email.GetProperty("fallbackFor").GetString().ShouldBe(smsNotice.GetProperty("noticeId").GetString());
        email.GetProperty("sequence").GetInt32().ShouldBe(smsNotice.GetProperty("sequence").GetInt32());
    }

    [Fact]
    public async Task ACodeThatIsNotAFallbackCodeSendsNoEmail()
    {
        var sms = await SendSmsAsync(SmsOnly());

        await CallBackAsync(sms, "undelivered", 30001);
        await host.DrainAsync();

        host.SendGrid.Mails.ShouldBeEmpty();
        var notice = await NoticeAsync("SMS");
        notice.GetProperty("status").GetString().ShouldBe("undelivered");
        notice.GetProperty("providerCode").GetString().ShouldBe("30001");
    }

    [Fact]
    public async Task ANewsAlreadyToldByEmailGetsNoSecondEmail()
    {
        var sms = await SendSmsAsync();
        host.SendGrid.Mails.ShouldHaveSingleItem();

        await CallBackAsync(sms, "undelivered", 30003);
        await host.DrainAsync();

        host.SendGrid.Mails.ShouldHaveSingleItem();
        (await NoticeAsync("SMS")).GetProperty("why").GetString()!.ShouldContain("already has its email");
    }

    [Fact]
    public async Task Error21610InACallbackOptsTheCustomerOutOfSms()
    {
        var sms = await SendSmsAsync(SmsOnly());

        await CallBackAsync(sms, "failed", 21610);
        await host.DrainAsync();

        var preferences = await host.Client.GetFromJsonAsync<JsonElement>("/v1/customers/C-77/preferences", TestContext.Current.CancellationToken);
        var optOut = preferences.GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem();
        optOut.GetProperty("channel").GetString().ShouldBe("SMS");
        optOut.GetProperty("source").GetString().ShouldBe("twilio 21610");
        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
    }

    [Fact]
    public async Task ADeliveredThatBeatsTheRecordOfTheSendStillEndsDelivered()
    {
        var early = host.Twilio.CallBackBeforeAnswering(host.Client, "delivered");

        await SendSmsAsync();

        using (var response = await early)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var notice = await NoticeAsync("SMS");
        notice.GetProperty("status").GetString().ShouldBe("delivered");
        Statuses(notice).ShouldBe(["delivered"]);
    }

    [Fact]
    public async Task AnUndeliveredThatBeatsTheRecordOfTheSendFallsBackOnce()
    {
        var early = host.Twilio.CallBackBeforeAnswering(host.Client, "undelivered", 30003);

        var sms = await SendSmsAsync(SmsOnly());
        (await early).Dispose();
        await host.DrainAsync();
        await CallBackAsync(sms, "undelivered", 30003);
        await host.DrainAsync();

        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
        (await NoticeAsync("SMS")).GetProperty("status").GetString().ShouldBe("undelivered");
        (await NoticeAsync("EMAIL")).GetProperty("status").GetString().ShouldBe("sent");
    }

    [Fact]
    public async Task A21610TakesTheOrderLockBeforeTheCustomerLockAsTheDispatcherDoes()
    {
        Assert.SkipWhen(Store != StoreKind.Postgres, "Advisory locks are PostgreSQL's; SQLite has one writer.");
        var sms = await SendSmsAsync();
        var ct = TestContext.Current.CancellationToken;
        var database = host.Services.GetRequiredService<Database>();
        await using var holder = await database.OpenAsync(ct);
        await using var tx = await holder.BeginTransactionAsync(ct);

        // As the dispatcher's refusal does: the order first...
        await holder.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = Order }, tx);
        var callback = FakeTwilio.CallBackAsync(host.Client, sms, "undelivered", 21610, ct: ct);
        await WaitForALockWaiterAsync(database, ct);

        // ...then the customer. Had the callback taken the customer before the order, this is a deadlock.
        await holder.ExecuteAsync("SET LOCAL lock_timeout = '10s'", transaction: tx);
        await holder.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = "customer:C-77" }, tx);
        await tx.CommitAsync(ct);

        using var response = await callback;
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
        (await NoticeAsync("SMS")).GetProperty("status").GetString().ShouldBe("undelivered");
        var preferences = await host.Client.GetFromJsonAsync<JsonElement>("/v1/customers/C-77/preferences", ct);
        preferences.GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem().GetProperty("channel").GetString().ShouldBe("SMS");
    }

    /// <summary>Until another session waits for an advisory lock (the callback blocked on the one held).</summary>
    private static async Task WaitForALockWaiterAsync(Database database, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"), deadline.Token) == 0)
        {
            deadline.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    [Fact]
    public async Task AMalformedSignedCallbackIsA400NamingTheField()
    {
        var sms = await SendSmsAsync();
        var form = FakeTwilio.StatusForm(sms, "delivered").Where(p => p.Key != "MessageSid").ToList();

        using var response = await TwilioSigning.PostAsync(host.Client, sms.StatusCallback!, sms.StatusCallback!, form, FakeTwilio.AuthToken, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("MessageSid");
        (await NoticeAsync("SMS")).GetProperty("status").GetString().ShouldBe("sent");
    }
}
