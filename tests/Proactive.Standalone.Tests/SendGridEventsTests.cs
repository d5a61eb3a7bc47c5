using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>SendGrid's signed Event Webhook end to end, on SQLite.</summary>
public sealed class SendGridEventsTestsOnSqlite : SendGridEventsTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class SendGridEventsTestsOnPostgres : SendGridEventsTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// The fake SendGrid posts signed events about the mails it accepted, as SendGrid does: each changes
/// the notice it names once; a hard bounce stops email to that address, an unsubscribe opts the
/// customer out of email.
/// </summary>
public abstract class SendGridEventsTests : IAsyncLifetime
{
    public const string Path = "/v1/webhooks/sendgrid/events";
    private const string Customer = "C-77";
    private static readonly DateTimeOffset Now = StandaloneHost.Start; // 10:00 in Seoul
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    internal static JsonObject[] Scenario(string order, DateTimeOffset now, JsonObject? customer = null) =>
    [
        OrderPlaced(order, now.AddHours(-3), Promise, customer, id: $"{order}-placed"),
        ShipmentCreated(order, "S-1", now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, "S-1", now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    /// <summary>The order's delay told now by SMS and email; returns the email notice.</summary>
    internal static async Task<string> ToldAsync(StandaloneHost host, string order, JsonObject? customer = null)
    {
        await host.AcceptAsync(Scenario(order, host.Time.GetUtcNow(), customer));
        await host.DrainAsync();
        var email = await EmailAsync(host, order);
        email.GetProperty("status").GetString().ShouldBe("sent");
        return email.GetProperty("noticeId").GetString()!;
    }

    internal static async Task<JsonElement> EmailAsync(StandaloneHost host, string order) =>
        (await host.NoticesAsync(order)).EnumerateArray().Last(n => n.GetProperty("channel").GetString() == "EMAIL");

    private async Task<JsonElement> SmsAsync(string order) =>
        (await host.NoticesAsync(order)).EnumerateArray().Last(n => n.GetProperty("channel").GetString() == "SMS");

    private JsonObject Event(string noticeId, string kind, string? eventId = null, params (string, string)[] extra) =>
        FakeSendGrid.Event(host.SendGrid.MailOf(noticeId), kind, host.Time.GetUtcNow(), eventId, extra);

    private async Task<JsonElement> PostAsync(params JsonObject[] events)
    {
        using var response = await host.SendGrid.PostEventsAsync(host.Client, Path, events, host.Time.GetUtcNow());
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private Task<List<DeliveryReceipt>> ReceiptsAsync(string order) =>
        host.Services.GetRequiredService<NoticeStore>().ReadAsync(r => r.ReceiptsForOrderAsync(order), Ct);

    private Task<List<EmailSuppression>> SuppressionsAsync() =>
        host.Services.GetRequiredService<NoticeStore>().ReadAsync(r => r.EmailSuppressionsAsync(), Ct);

    /// <summary>Further news for the order: the estimate slips two more days.</summary>
    private async Task SlipsAgainAsync(string order)
    {
        await host.AcceptAsync(Tracking(order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddDays(2)));
        await host.DrainAsync();
    }

    [Fact]
    public async Task DeliveredMakesTheEmailNoticeDeliveredWithItsReceipt()
    {
        var email = await ToldAsync(host, "E-1");
        var mail = host.SendGrid.MailOf(email);
        mail.CustomArgs.ShouldBe(new Dictionary<string, string> { ["notice_id"] = email, ["order_id"] = "E-1" });
        host.Time.Advance(TimeSpan.FromSeconds(30));

        var answer = await PostAsync(Event(email, "processed"), Event(email, "delivered", "delivered-1", ("response", "250 OK")), Event(email, "open"));

        (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("ignored").GetInt32()).ShouldBe((1, 2));
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("delivered");
        var receipt = (await ReceiptsAsync("E-1")).ShouldHaveSingleItem();
        receipt.ShouldBe(new DeliveryReceipt(
            "sendgrid", "delivered-1", email, Channel.Email, mail.MessageId, "delivered", null, null, host.Time.GetUtcNow(), host.Time.GetUtcNow()));
    }

    [Fact]
    public async Task AnEventWithoutItsNoticeIdIsMappedByTheMessageId()
    {
        var email = await ToldAsync(host, "E-1");
        var delivered = Event(email, "delivered", "delivered-1");
        delivered.Remove("notice_id");
        delivered.Remove("order_id");

        await PostAsync(delivered);

        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("delivered");
        (await ReceiptsAsync("E-1")).ShouldHaveSingleItem().NoticeId.ShouldBe(email);
    }

    [Fact]
    public async Task AfterAHardBounceThatAddressGetsNoMoreEmailNorAnSmsFallbackButSmsStillGoes()
    {
        var email = await ToldAsync(host, "E-1");
        var mails = host.SendGrid.Mails.Count;

        await PostAsync(Event(email, "bounce", "bounce-1", ("type", "bounce"), ("reason", $"550 5.1.1 <{KoreanEmail}>: user unknown"), ("status", "5.1.1")));

        var bounced = await EmailAsync(host, "E-1");
        bounced.GetProperty("status").GetString().ShouldBe("undelivered");
        bounced.GetProperty("providerCode").GetString().ShouldBe("5.1.1");
        bounced.GetProperty("why").GetString().ShouldBe("sendgrid bounce: 550 5.1.1 <[email]>: user unknown");
        var suppression = (await SuppressionsAsync()).ShouldHaveSingleItem();
        (suppression.Address, suppression.Source, suppression.NoticeId).ShouldBe((KoreanEmail, "sendgrid bounce", email));

        // The next news of this order: SMS only, the email recorded as suppressed, saying why.
        var texts = host.Twilio.Messages.Count;
        await SlipsAgainAsync("E-1");
        host.SendGrid.Mails.Count.ShouldBe(mails);
        host.Twilio.Messages.Count.ShouldBe(texts + 1);
        var next = await EmailAsync(host, "E-1");
        next.GetProperty("noticeId").GetString().ShouldNotBe(email);
        next.GetProperty("status").GetString().ShouldBe("suppressed");
        next.GetProperty("why").GetString()!.ShouldContain("the address m***@example.com hard-bounced (sendgrid bounce");
        next.GetProperty("why").GetString()!.ShouldNotContain(KoreanEmail);

        // An SMS-only order whose number cannot get the SMS does not fall back to that address.
        var smsOnly = KoreanCustomer();
        smsOnly["channels"] = new JsonArray("SMS");
        host.Twilio.ReplyError(400, 21211, "The 'To' number is not a valid phone number.");
        await host.AcceptAsync(Scenario("E-2", host.Time.GetUtcNow(), smsOnly));
        await host.DrainAsync();
        host.SendGrid.Mails.Count.ShouldBe(mails);
        var sms = await SmsAsync("E-2");
        sms.GetProperty("status").GetString().ShouldBe("failed");
        sms.GetProperty("why").GetString()!.ShouldContain("no email fallback: the address m***@example.com hard-bounced");
        (await host.NoticesAsync("E-2")).EnumerateArray().ShouldNotContain(n => n.GetProperty("channel").GetString() == "EMAIL");
    }

    [Fact]
    public async Task AnEmailWaitingToBeRetriedIsWithdrawnWhenItsAddressBouncesMeanwhile()
    {
        var email = await ToldAsync(host, "E-1");
        host.SendGrid.ReplyError(503, "Service unavailable");
        await host.AcceptAsync(Scenario("E-2", host.Time.GetUtcNow()));
        await host.DrainAsync();
        (await EmailAsync(host, "E-2")).GetProperty("status").GetString().ShouldBe("pending");
        var requests = host.SendGrid.Requests;

        await PostAsync(Event(email, "dropped", "dropped-1", ("reason", "Bounced Address"), ("status", "5.0.0")));
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        host.SendGrid.Requests.ShouldBe(requests);
        var withdrawn = await EmailAsync(host, "E-2");
        withdrawn.GetProperty("status").GetString().ShouldBe("suppressed");
        withdrawn.GetProperty("why").GetString()!.ShouldStartWith("withdrawn before sending: the address m***@example.com hard-bounced (sendgrid dropped");
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("undelivered");
    }

    [Theory]
    [InlineData("blocked")]
    [InlineData("expired")]
    public async Task ASoftBounceIsRecordedOnlyAndLaterEmailStillGoes(string type)
    {
        var email = await ToldAsync(host, "E-1");
        var mails = host.SendGrid.Mails.Count;

        await PostAsync(Event(email, "bounce", "soft-1", ("type", type), ("reason", "421 4.7.0 try again later")));

        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("sent");
        (await ReceiptsAsync("E-1")).ShouldHaveSingleItem().Status.ShouldBe(type);
        (await SuppressionsAsync()).ShouldBeEmpty();
        await SlipsAgainAsync("E-1");
        host.SendGrid.Mails.Count.ShouldBe(mails + 1);
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("sent");
    }

    [Fact]
    public async Task ADeferredEventIsARecordOnly()
    {
        var email = await ToldAsync(host, "E-1");

        await PostAsync(Event(email, "deferred", "deferred-1", ("response", "400 try again later"), ("attempt", "5")));

        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("sent");
        (await ReceiptsAsync("E-1")).ShouldHaveSingleItem().Status.ShouldBe("deferred");
    }

    [Theory]
    [InlineData("unsubscribe")]
    [InlineData("group_unsubscribe")]
    [InlineData("spamreport")]
    public async Task UnsubscribingOrReportingSpamOptsTheCustomerOutOfEmail(string kind)
    {
        var email = await ToldAsync(host, "E-1");
        var mails = host.SendGrid.Mails.Count;

        await PostAsync(Event(email, kind, "unsubscribe-1"));

        var preferences = await host.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{Customer}/preferences", Ct);
        var optOut = preferences.GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem();
        (optOut.GetProperty("channel").GetString(), optOut.GetProperty("source").GetString()).ShouldBe(("EMAIL", $"sendgrid {kind}"));
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("sent");

        await SlipsAgainAsync("E-1");
        host.SendGrid.Mails.Count.ShouldBe(mails);
        (await EmailAsync(host, "E-1")).GetProperty("why").GetString()!.ShouldContain($"opted out of email on 2026-11-24 01:00Z (sendgrid {kind})");
    }

    [Theory]
    [InlineData("unsubscribe", null)]
    [InlineData("group_unsubscribe", null)]
    [InlineData("spamreport", null)]
    [InlineData("dropped", "Unsubscribed Address")]
    [InlineData("dropped", "Spam Reporting Address")]
    public async Task AnOptOutAboutAMailWeCannotMapOptsOutTheCustomersEmailedAtThatAddress(string kind, string? reason)
    {
        var email = await ToldAsync(host, "E-1");
        var known = host.SendGrid.MailOf(email);
        var unknown = new AcceptedMail("not-one-of-ours", known.To.ToUpperInvariant(), new Dictionary<string, string>());
        (string, string)[] extra = reason is null ? [] : [("reason", reason)];

        await PostAsync(FakeSendGrid.Event(unknown, kind, host.Time.GetUtcNow(), "unmapped-1", extra));

        var preferences = await host.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{Customer}/preferences", Ct);
        var optOut = preferences.GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem();
        (optOut.GetProperty("channel").GetString(), optOut.GetProperty("source").GetString()).ShouldBe(("EMAIL", $"sendgrid {kind}"));
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("sent");
    }

    [Fact]
    public async Task ADroppedForAnotherReasonAboutAMailWeCannotMapOptsNobodyOut()
    {
        var email = await ToldAsync(host, "E-1");
        var unknown = new AcceptedMail("not-one-of-ours", host.SendGrid.MailOf(email).To, new Dictionary<string, string>());

        await PostAsync(FakeSendGrid.Event(unknown, "dropped", host.Time.GetUtcNow(), "unmapped-2", ("reason", "Spam Content")));

        var preferences = await host.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{Customer}/preferences", Ct);
        preferences.GetProperty("optOuts").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("delivered", null, "delivered")]
    [InlineData("bounce", "bounce", "undelivered")]
    [InlineData("dropped", null, "undelivered")]
    public async Task AnEventThatBeatsTheRecordOfTheSendIsAppliedWhenItIsRecorded(string kind, string? type, string status)
    {
        (string, string)[] extra = type is null ? [] : [("type", type), ("reason", "550 no such user")];
        var early = host.SendGrid.PostEventsBeforeAnswering(
            host.Client, Path, mail => [FakeSendGrid.Event(mail, kind, host.Time.GetUtcNow(), "early-1", extra)], host.Time.GetUtcNow());

        await host.AcceptAsync(Scenario("E-1", host.Time.GetUtcNow()));
        await host.DrainAsync();

        using (var response = await early)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        }

        var email = await EmailAsync(host, "E-1");
        email.GetProperty("status").GetString().ShouldBe(status);
        (await ReceiptsAsync("E-1")).ShouldHaveSingleItem().NoticeId.ShouldBe(email.GetProperty("noticeId").GetString());
    }

    [Fact]
    public async Task TheSameEventTwiceAndTheBatchReplayedTakeEffectOnce()
    {
        var email = await ToldAsync(host, "E-1");
        var delivered = Event(email, "delivered", "delivered-1");

        var first = await PostAsync(delivered, delivered.DeepClone().AsObject());
        var replay = await PostAsync(delivered, delivered.DeepClone().AsObject());
        var late = await PostAsync(Event(email, "dropped", "dropped-1", ("reason", "Spam Content")));

        (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()).ShouldBe((1, 1));
        (replay.GetProperty("accepted").GetInt32(), replay.GetProperty("duplicates").GetInt32()).ShouldBe((0, 2));
        late.GetProperty("accepted").GetInt32().ShouldBe(1);
        (await ReceiptsAsync("E-1")).Select(r => (r.EventKey, r.Status)).ShouldBe([("delivered-1", "delivered"), ("dropped-1", "dropped")]);
        // The first final receipt wins: a later drop does not undo the delivery.
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task ABadElementIsSkippedAndNamedWhileTheGoodOnesAreApplied()
    {
        var email = await ToldAsync(host, "E-1");
        var noId = Event(email, "bounce", "x");
        noId.Remove("sg_event_id");

        var answer = await PostAsync(noId, Event(email, "delivered", "delivered-1"));

        answer.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()).ShouldBe(["[0].sg_event_id: missing, not a string or over 200 characters"]);
        (await EmailAsync(host, "E-1")).GetProperty("status").GetString().ShouldBe("delivered");
        (await SuppressionsAsync()).ShouldBeEmpty();

        using var allBad = await host.SendGrid.PostEventsAsync(host.Client, Path, [noId, new JsonObject { ["sg_event_id"] = "y" }], host.Time.GetUtcNow());
        allBad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await allBad.Content.ReadAsStringAsync(Ct)).ShouldContain("[1].event: missing or not a string");
    }
}
