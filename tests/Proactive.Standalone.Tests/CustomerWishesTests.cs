using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Preferences, good news, provider faults and fallback, end to end: on SQLite.</summary>
public sealed class CustomerWishesTestsOnSqlite : CustomerWishesTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class CustomerWishesTestsOnPostgres : CustomerWishesTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract class CustomerWishesTests : IAsyncLifetime
{
    private const string Order = "W-1";
    private const string Customer = "C-77";
    private static readonly DateTimeOffset Now = StandaloneHost.Start; // 10:00 in Seoul
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private static JsonObject[] Scenario(string order = Order, JsonObject? customer = null) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, customer, id: $"{order}-placed"),
        ShipmentCreated(order, "S-1", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, "S-1", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    private static JsonObject SmsOnly()
    {
        var customer = KoreanCustomer();
        customer["channels"] = new JsonArray("SMS");
        return customer;
    }

    private async Task<List<JsonElement>> NoticesAsync(string channel, string order = Order) =>
        (await host.NoticesAsync(order)).EnumerateArray().Where(n => n.GetProperty("channel").GetString() == channel).ToList();

    private async Task<JsonElement> PreferencesAsync(StandaloneHost? on = null) =>
        await (on ?? host).Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{Customer}/preferences", TestContext.Current.CancellationToken);

    private async Task<HttpResponseMessage> PatchPreferencesAsync(object body) =>
        await host.Client.PatchAsync($"/v1/customers/{Customer}/preferences", JsonContent.Create(body), TestContext.Current.CancellationToken);

    private async Task AtNightAsync()
    {
        // 13:30 UTC is 22:30 in Seoul: the email goes now, the SMS is held until 08:00.
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        host.SendGrid.Mails.ShouldHaveSingleItem();
        (await NoticesAsync("SMS")).Single().GetProperty("status").GetString().ShouldBe("deferred");
    }

    private async Task ToEightInTheMorningAsync() => await host.AdvanceAsync(TimeSpan.FromHours(9.5));

    [Fact]
    public async Task Twilio21610MeansNoSmsRetryTheEmailGoesOutAndTheCustomerIsOptedOutOfSms()
    {
        host.Twilio.ReplyError(400, 21610, "Attempt to send to unsubscribed recipient");
        await host.AcceptAsync(Scenario(customer: SmsOnly()));
        await host.DrainAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(2));

        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
        var sms = (await NoticesAsync("SMS")).Single();
        sms.GetProperty("status").GetString().ShouldBe("failed");
        sms.GetProperty("providerCode").GetString().ShouldBe("21610");
        sms.GetProperty("why").GetString()!.ShouldContain("opted out of sms");
        sms.GetProperty("why").GetString()!.ShouldContain("fell back to email");
        var email = (await NoticesAsync("EMAIL")).Single();
        email.GetProperty("status").GetString().ShouldBe("sent");
        email.GetProperty("fallbackFor").GetString().ShouldBe(sms.GetProperty("noticeId").GetString());

        var optOut = (await PreferencesAsync()).GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem();
        optOut.GetProperty("channel").GetString().ShouldBe("SMS");
        optOut.GetProperty("source").GetString().ShouldBe("twilio 21610");

        // The next delay of this customer is not texted at all: it goes by email.
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddDays(2)));
        await host.DrainAsync();
        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Mails.Count.ShouldBe(2);
        (await NoticesAsync("SMS")).Last().GetProperty("why").GetString()!.ShouldContain("opted out of SMS");
    }

    [Fact]
    public async Task AnInvalidNumberFallsBackToEmailOnceButNotWhenTheEmailWasAlreadySent()
    {
        host.Twilio.ReplyError(400, 21211, "The 'To' number +821012345678 is not a valid phone number.");
        host.Twilio.ReplyError(400, 21614, "'To' number is not a valid mobile number");
        await host.AcceptAsync(Scenario(customer: SmsOnly()));
        await host.AcceptAsync(Scenario("W-2"));
        await host.DrainAsync();

        host.Twilio.Requests.ShouldBe(2);
        host.SendGrid.Mails.Count.ShouldBe(2);
        (await NoticesAsync("SMS")).Single().GetProperty("why").GetString()!.ShouldContain("fell back to email");
        (await NoticesAsync("SMS", "W-2")).Single().GetProperty("why").GetString()!.ShouldContain("already has its email");
        (await PreferencesAsync()).GetProperty("optOuts").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Twilio429WithRetryAfterIsWaitedFor()
    {
        host.Twilio.ReplyError(429, 20429, "Too Many Requests", retryAfterSeconds: 120);
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        await host.AdvanceAsync(TimeSpan.FromSeconds(119));
        host.Twilio.Requests.ShouldBe(1);

        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        host.Twilio.Messages.ShouldHaveSingleItem();
        var log = (await NoticesAsync("SMS")).Single().GetProperty("attemptLog").EnumerateArray().ToList();
        log.Select(a => a.GetProperty("outcome").GetString()).ShouldBe(["transient", "sent"]);
        log[0].GetProperty("providerCode").GetString().ShouldBe("20429");
        (DateTimeOffset.Parse(log[1].GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(log[0].GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task AnOutageOpensTheCircuitSoTheOtherNoticesKeepTheirRetries()
    {
        for (var i = 0; i < 6; i++)
        {
            host.Twilio.ReplyError(500, 20500, "Internal Server Error");
        }

        var orders = Enumerable.Range(1, 8).Select(i => $"O-{i}").ToList();
        foreach (var order in orders)
        {
            await host.AcceptAsync(Scenario(order));
        }

        await host.DrainAsync();

        // Five failures in a row open the circuit: the other three SMS are not tried, not charged an attempt.
        host.Twilio.Requests.ShouldBe(5);
        host.SendGrid.Mails.Count.ShouldBe(8);
        var untouched = new List<JsonElement>();
        foreach (var order in orders.Skip(5))
        {
            untouched.Add((await NoticesAsync("SMS", order)).Single());
        }

        untouched.ShouldAllBe(n => n.GetProperty("attempts").GetInt32() == 0 && n.GetProperty("status").GetString() == "pending");
        untouched[0].GetProperty("why").GetString()!.ShouldContain("twilio failed 5 times in a row");

        // After the break one trial goes; it fails, so the circuit opens again.
        await host.AdvanceAsync(TimeSpan.FromSeconds(59));
        host.Twilio.Requests.ShouldBe(5);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        host.Twilio.Requests.ShouldBe(6);

        // The next trial succeeds: everything goes, each SMS exactly once.
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        host.Twilio.Messages.Count.ShouldBe(8);
        host.Twilio.Messages.Select(m => m.Body).Distinct().Count().ShouldBe(8);
        host.Twilio.Requests.ShouldBe(14);
    }

    [Fact]
    public async Task EachSenderIsHeldToItsMessagesPerSecond()
    {
        await using var limited = await StandaloneHost.StartAsync(store: Store, settings: new Dictionary<string, string?> { ["Twilio:MessagesPerSecond"] = "2" });
        foreach (var order in new[] { "R-1", "R-2", "R-3", "R-4", "R-5" })
        {
            // English SMS fit one segment; a two-segment Korean SMS would cost two.
            await limited.AcceptAsync(Scenario(order, EnglishCustomer()));
        }

        await limited.DrainAsync();
        limited.Twilio.Requests.ShouldBe(2);
        limited.SendGrid.Mails.Count.ShouldBe(5);
        (await limited.Services.GetRequiredService<Notifier.Dispatch.NoticeDispatcher>().NextDueAsync(TestContext.Current.CancellationToken))
            .ShouldBe(limited.Time.GetUtcNow().AddSeconds(0.5));

        await limited.AdvanceAsync(TimeSpan.FromSeconds(1));
        limited.Twilio.Requests.ShouldBe(4);
        await limited.AdvanceAsync(TimeSpan.FromSeconds(1));
        limited.Twilio.Requests.ShouldBe(5);
    }

    [Fact]
    public async Task PreferencesCanBeReadAndChangedFieldByField()
    {
        (await PreferencesAsync()).GetProperty("quietHours").GetProperty("start").GetString().ShouldBe("21:00");

        using (var response = await PatchPreferencesAsync(new { channels = new { channels = new[] { "EMAIL" } }, language = "en-US", timeZone = "America/New_York" }))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using (var response = await PatchPreferencesAsync(new { quietHours = new { start = "22:30", end = "07:00" } }))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var preferences = await PreferencesAsync();
        preferences.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ShouldBe(["EMAIL"]);
        preferences.GetProperty("language").GetString().ShouldBe("en-US");
        preferences.GetProperty("timeZone").GetString().ShouldBe("America/New_York");
        preferences.GetProperty("quietHours").GetProperty("start").GetString().ShouldBe("22:30");
        preferences.GetProperty("quietHoursSet").GetBoolean().ShouldBeTrue();

        using (var response = await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-out", JsonContent.Create(new { channel = "SMS" }), TestContext.Current.CancellationToken))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await PreferencesAsync()).GetProperty("optOuts").EnumerateArray().ShouldHaveSingleItem().GetProperty("source").GetString().ShouldBe("api");
        using (var response = await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-in", JsonContent.Create(new { channel = "SMS" }), TestContext.Current.CancellationToken))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await PreferencesAsync()).GetProperty("optOuts").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task BadPreferencesAreRefusedNamingEveryFieldAndChangeNothing()
    {
        using var response = await PatchPreferencesAsync(new { language = "no such language!", timeZone = "Mars/Olympus_Mons", quietHours = new { start = "25:00", end = "07:00" } });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        body.ShouldContain("language");
        body.ShouldContain("time_zone");
        body.ShouldContain("quiet_hours.start");
        (await PreferencesAsync()).GetProperty("timeZone").GetString().ShouldBe("");
    }

    [Fact]
    public async Task TheCustomersOwnQuietHoursHoldTheSms()
    {
        (await PatchPreferencesAsync(new { quietHours = new { start = "09:00", end = "11:00" } })).Dispose();
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        host.SendGrid.Mails.ShouldHaveSingleItem();
        host.Twilio.Requests.ShouldBe(0);
        await host.AdvanceAsync(TimeSpan.FromMinutes(59));
        host.Twilio.Requests.ShouldBe(0);
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        host.Twilio.Messages.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task AnOptOutMadeDuringTheNightStopsTheHeldSms()
    {
        await AtNightAsync();
        (await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-out", JsonContent.Create(new { channel = "SMS" }), TestContext.Current.CancellationToken)).Dispose();
        (await NoticesAsync("SMS")).Single().GetProperty("status").GetString().ShouldBe("suppressed", "withdrawn at once, not at 08:00");

        await ToEightInTheMorningAsync();

        host.Twilio.Requests.ShouldBe(0);
        var sms = (await NoticesAsync("SMS")).Single();
        sms.GetProperty("status").GetString().ShouldBe("suppressed");
        sms.GetProperty("why").GetString()!.ShouldContain("opted out of SMS");
        sms.GetProperty("attempts").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task ChannelsAndLanguageChangedDuringTheNightCountAtSendTime()
    {
        await AtNightAsync();
        (await PatchPreferencesAsync(new { language = "en" })).Dispose();

        await ToEightInTheMorningAsync();

        var sms = host.Twilio.Messages.ShouldHaveSingleItem();
        sms.Body.ShouldStartWith("[Proactive] Order W-1:");
        (await NoticesAsync("SMS")).Single().GetProperty("text").GetString().ShouldBe(sms.Body);

        await using var second = await StandaloneHost.StartAsync(store: Store);
        second.Time.Advance(TimeSpan.FromHours(12.5));
        await second.AcceptAsync(Scenario());
        await second.DrainAsync();
        (await second.Client.PatchAsync($"/v1/customers/{Customer}/preferences", JsonContent.Create(new { channels = new { channels = new[] { "EMAIL" } } }), TestContext.Current.CancellationToken)).Dispose();
        await second.AdvanceAsync(TimeSpan.FromHours(9.5));
        second.Twilio.Requests.ShouldBe(0);
        (await second.NoticesAsync(Order)).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS")
            .GetProperty("why").GetString()!.ShouldContain("no longer include sms");
    }

    [Fact]
    public async Task ARewriteWhoseClaimWasTakenOverMeanwhileIsNotSent()
    {
        await AtNightAsync();
        (await PatchPreferencesAsync(new { language = "en" })).Dispose();

        // Another replica takes the claim over between the claim and the rewrite: every claim
        // from a waiting notice is counted once more behind the dispatcher's back.
        var takeOver = Store == StoreKind.Postgres
            ? """
              CREATE FUNCTION take_over() RETURNS trigger AS $$ BEGIN
                  IF NEW.status = 'Sending' AND OLD.status <> 'Sending' THEN NEW.attempts := NEW.attempts + 1; END IF;
                  RETURN NEW;
              END $$ LANGUAGE plpgsql;
              CREATE TRIGGER take_over BEFORE UPDATE ON notifier_notices FOR EACH ROW EXECUTE FUNCTION take_over();
              """
            : """
              CREATE TRIGGER take_over AFTER UPDATE OF status ON notifier_notices
              WHEN NEW.status = 'Sending' AND OLD.status <> 'Sending'
              BEGIN UPDATE notifier_notices SET attempts = attempts + 1 WHERE notice_id = NEW.notice_id; END;
              """;
        await host.Services.GetRequiredService<Database>().WriteAsync((c, tx) => Dapper.SqlMapper.ExecuteAsync(c, takeOver, transaction: tx), TestContext.Current.CancellationToken);

        await ToEightInTheMorningAsync();

        host.Twilio.Requests.ShouldBe(0);
        var sms = (await NoticesAsync("SMS")).Single();
        sms.GetProperty("status").GetString().ShouldBe("sending");
        sms.GetProperty("text").GetString()!.ShouldNotStartWith("[Proactive] Order W-1:");
    }

    [Fact]
    public async Task WhenTheEstimateRecoversTheCustomerHearsTheGoodNewsOnce()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        await host.AcceptAsync(Tracking(Order, "S-1", Now.AddHours(1), "IN_TRANSIT", Promise.AddHours(-6)));
        await host.DrainAsync();
        await host.AcceptAsync(Tracking(Order, "S-1", Now.AddHours(2), "OUT_FOR_DELIVERY", Promise.AddHours(-7)));
        await host.DrainAsync();

        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.Last().Body.ShouldContain("좋은 소식");
        host.Twilio.Messages.Last().Body.ShouldContain("새 도착 예정일: 11월 26일(목)"); // the recovered estimate, not the late one
        host.SendGrid.Mails.Last().Subject.ShouldContain("좋은 소식");
        (await NoticesAsync("SMS")).Last().GetProperty("kind").GetString().ShouldBe("BACK_ON_TRACK");
        (await host.OrderAsync(Order)).TryGetProperty("delay", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task NoGoodNewsWhenTurnedOffOrWhenTheDelayNoticeNeverWentOut()
    {
        await using var off = await StandaloneHost.StartAsync(store: Store, settings: new Dictionary<string, string?> { ["Proactive:Notices:BackOnTrack"] = "false" });
        await off.AcceptAsync(Scenario());
        await off.DrainAsync();
        await off.AcceptAsync(Tracking(Order, "S-1", Now.AddHours(1), "IN_TRANSIT", Promise.AddHours(-6)));
        await off.DrainAsync();
        off.Twilio.Messages.Count.ShouldBe(1);
        off.SendGrid.Mails.Count.ShouldBe(1);

        // At night the SMS is held; the estimate recovers before morning: the held SMS is withdrawn
        // and only the channel that was told (email) hears the good news.
        await AtNightAsync();
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", Promise.AddHours(-6)));
        await ToEightInTheMorningAsync();
        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Mails.Count.ShouldBe(2);
        host.SendGrid.Mails.Last().Subject.ShouldContain("좋은 소식");
    }

    [Fact]
    public async Task AHeldSmsIsWithdrawnWhenNewerNewsIsNotWorthTelling()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        // 22:30 in Seoul: a day and more of further slip; the email goes, the SMS waits for morning.
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddHours(30)));
        await host.DrainAsync();
        host.SendGrid.Mails.Count.ShouldBe(2);

        // 23:00: most of it is taken back; compared with what the SMS told, nothing worth a notice.
        host.Time.Advance(TimeSpan.FromMinutes(30));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddHours(5)));
        await host.DrainAsync();
        await ToEightInTheMorningAsync();

        host.Twilio.Requests.ShouldBe(1);
        var held = (await NoticesAsync("SMS")).Single(n => n.GetProperty("sequence").GetInt32() == 2);
        held.GetProperty("status").GetString().ShouldBe("suppressed");
        held.GetProperty("why").GetString()!.ShouldStartWith("withdrawn: newer news");
    }

    [Fact]
    public async Task HeldGoodNewsIsReplacedWhenTheOrderSlipsAgainBeforeMorning()
    {
        await host.AcceptAsync(Scenario());
        await host.DrainAsync();
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", Promise.AddHours(-6)));
        await host.DrainAsync();
        (await NoticesAsync("SMS")).Last().GetProperty("status").GetString().ShouldBe("deferred");

        host.Time.Advance(TimeSpan.FromMinutes(30));
        await host.AcceptAsync(Tracking(Order, "S-1", host.Time.GetUtcNow(), "IN_TRANSIT", SlippedEta.AddDays(1)));
        await host.DrainAsync();
        await ToEightInTheMorningAsync();

        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.Last().Body.ShouldNotContain("좋은 소식");
        var goodNews = (await NoticesAsync("SMS")).Single(n => n.GetProperty("kind").GetString() == "BACK_ON_TRACK");
        goodNews.GetProperty("status").GetString().ShouldBe("suppressed");
        goodNews.GetProperty("why").GetString()!.ShouldStartWith("replaced by W-1/delay-2/");
    }

    [Fact]
    public async Task ACustomerWhoChoseOnlySmsAndStoppedItIsToldByEmail()
    {
        (await PatchPreferencesAsync(new { channels = new { channels = new[] { "SMS" } } })).Dispose();
        (await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-out", JsonContent.Create(new { channel = "SMS" }), TestContext.Current.CancellationToken)).Dispose();

        await host.AcceptAsync(Scenario());
        await host.DrainAsync();

        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
    }

    [Fact]
    public async Task AnSmsOnlyCustomerWhoStopsSmsDuringTheNightGetsTheHeldNewsByEmail()
    {
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Scenario(customer: SmsOnly()));
        await host.DrainAsync();
        host.SendGrid.Requests.ShouldBe(0);

        (await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-out", JsonContent.Create(new { channel = "SMS" }), TestContext.Current.CancellationToken)).Dispose();
        await host.DrainAsync();

        host.SendGrid.Mails.ShouldHaveSingleItem().To.ShouldBe(KoreanEmail);
        (await NoticesAsync("SMS")).Single().GetProperty("why").GetString()!.ShouldContain("fell back to email");
        await ToEightInTheMorningAsync();
        host.Twilio.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task AStopReportedByTwilioOnOneOrderTurnsTheCustomersOtherHeldSmsIntoEmail()
    {
        host.Time.Advance(TimeSpan.FromHours(12.5));
        await host.AcceptAsync(Scenario(customer: SmsOnly()));
        await host.AcceptAsync(Scenario("W-2", SmsOnly()));
        await host.DrainAsync();
        host.Twilio.ReplyError(400, 21610, "Attempt to send to unsubscribed recipient");

        await ToEightInTheMorningAsync();

        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Mails.Count.ShouldBe(2);
        var whys = new List<string>();
        foreach (var order in new[] { Order, "W-2" })
        {
            whys.Add((await NoticesAsync("SMS", order)).Single().GetProperty("why").GetString()!);
        }

        whys.ShouldAllBe(why => why.Contains("fell back to email"));
        whys.ShouldContain(why => why.StartsWith("withdrawn before sending: the customer opted out of SMS", StringComparison.Ordinal));
    }
}
