using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier;
using Proactive.Notifier.Store;
using Proactive.Notifier.Survey;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>The survey after delivery, end to end: on SQLite.</summary>
public sealed class SurveyTestsOnSqlite : SurveyTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class SurveyTestsOnPostgres : SurveyTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract partial class SurveyTests : IAsyncLifetime
{
    private const string PublicBase = InboundMessageTests.PublicBase;
    private const string Order = "R-1";
    private const string Customer = "C-77";
    private static readonly DateTimeOffset Now = StandaloneHost.Start; // 10:00 in Seoul
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;
    private int sids;

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => host = await StartAsync();

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private Task<StandaloneHost> StartAsync(params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?>(InboundMessageTests.Webhooks);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return StandaloneHost.StartAsync(store: Store, settings: all);
    }

    private async Task RestartAsync(params (string Key, string? Value)[] settings)
    {
        await host.DisposeAsync();
        host = await StartAsync(settings);
    }

    private static JsonObject Customer_(params string[] channels)
    {
        var customer = KoreanCustomer();
        customer["channels"] = new JsonArray([.. channels.Select(c => (JsonNode)JsonValue.Create(c))]);
        return customer;
    }

    /// <summary>The order is late; the customer is told (by SMS unless <paramref name="customer"/> says otherwise).</summary>
    private async Task DelayedAsync(JsonObject? customer = null, string order = Order)
    {
        await host.AcceptAsync(
            OrderPlaced(order, Now.AddHours(-3), Promise, customer ?? Customer_("SMS"), id: $"{order}-placed"),
            ShipmentCreated(order, "S-" + order, Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
            Tracking(order, "S-" + order, Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"));
        await host.DrainAsync();
    }

    private async Task DeliveredAsync(string order = Order, string? id = null)
    {
        await host.AcceptAsync(Tracking(order, "S-" + order, host.Time.GetUtcNow(), "DELIVERED", id: id ?? $"{order}-delivered"));
        await host.DrainAsync();
    }

    private async Task<List<JsonElement>> SurveyNoticesAsync(string order = Order) =>
        [.. (await host.NoticesAsync(order)).EnumerateArray().Where(n => n.GetProperty("kind").GetString() == "SURVEY")];

    private List<TwilioMessage> SurveySms() => [.. host.Twilio.Messages.Where(m => m.Body.Contains("1(매우 불만)~5(매우 만족)", StringComparison.Ordinal) || m.Body.Contains("Reply 1 (poor) to 5 (great)", StringComparison.Ordinal))];

    private Task<SurveyRecord?> SurveyAsync(string order = Order) =>
        host.Services.GetRequiredService<NoticeStore>().ReadAsync(r => r.Surveys.FindAsync(order), Ct);

    private async Task<HttpResponseMessage> TextAsync(string body, string from = KoreanPhone)
    {
        var sid = $"SM{Interlocked.Increment(ref sids):D32}";
        return await TwilioSigning.PostAsync(
            host.Client, InboundMessageTests.InboundPath, PublicBase + InboundMessageTests.InboundPath, InboundMessageTests.InboundForm(sid, from, body), FakeTwilio.AuthToken, Ct);
    }

    private async Task<List<JsonElement>> RepliesAsync(string order = Order) =>
        [.. (await host.Client.GetFromJsonAsync<JsonElement>($"/v1/orders/{order}/replies", Ct)).GetProperty("replies").EnumerateArray()];

    /// <summary>The delivered news again, as a redelivery by the broker or a second publication would bring it: another event id.</summary>
    private async Task<NewsOutcome> DeliveredNewsAgainAsync(string order, long sequence, int episodes = 1, DelayEpisodeChanged.Types.Kind kind = DelayEpisodeChanged.Types.Kind.Delivered)
    {
        var change = new DelayEpisodeChanged
        {
            OrderId = order,
            EpisodeId = kind == DelayEpisodeChanged.Types.Kind.Delivered ? "" : $"{order}/ep-x",
            Sequence = sequence,
            Kind = kind,
            Resolution = kind == DelayEpisodeChanged.Types.Kind.Resolved ? Resolution.Delivered : Resolution.Unspecified,
            PromisedBy = Timestamp.FromDateTimeOffset(Promise),
            OccurredAt = Timestamp.FromDateTimeOffset(host.Time.GetUtcNow()),
            DeliveredAt = Timestamp.FromDateTimeOffset(host.Time.GetUtcNow()),
            EpisodeCount = episodes,
            Carrier = "CJ Logistics",
            Customer = new Contracts.Events.V1.Customer
            {
                CustomerId = Customer,
                Name = "김민지",
                Phone = KoreanPhone,
                Email = KoreanEmail,
                Locale = "ko-KR",
                TimeZone = "Asia/Seoul",
            },
        };
        var outcome = await host.Services.GetRequiredService<DelayEpisodeHandler>().HandleAsync("test", $"{order}-again-{sequence}", change, Ct);
        await host.DrainAsync();
        return outcome;
    }

    [Fact]
    public async Task ADelayedOrderDeliveredLateAtNightIsAskedOnceTheNextMorning()
    {
        await DelayedAsync();
        host.Twilio.Messages.ShouldHaveSingleItem();

        await host.AdvanceAsync(new DateTimeOffset(2026, 11, 24, 22, 30, 0, TimeSpan.FromHours(9)) - host.Time.GetUtcNow());
        await DeliveredAsync();

        var survey = (await SurveyNoticesAsync()).ShouldHaveSingleItem();
        survey.GetProperty("status").GetString().ShouldBe("deferred");
        survey.GetProperty("channel").GetString().ShouldBe("SMS");
        survey.GetProperty("noticeId").GetString().ShouldBe($"{Order}/survey/0/sms");
        DateTimeOffset.Parse(survey.GetProperty("scheduledAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.FromHours(9)));
        SurveySms().ShouldBeEmpty();

        // The same delivery again (a redelivered CloudEvent, a second news of it): still one survey.
        await DeliveredAsync();
        (await DeliveredNewsAgainAsync(Order, 50)).ShouldBe(NewsOutcome.Decided);
        (await SurveyNoticesAsync()).Count.ShouldBe(1);

        await host.AdvanceAsync(TimeSpan.FromHours(10));
        var sms = SurveySms().ShouldHaveSingleItem();
        sms.To.ShouldBe(KoreanPhone);
        sms.Body.ShouldBe("[Proactive] 주문 R-1 배송이 완료됐어요. 이번 배송은 어떠셨나요? 1(매우 불만)~5(매우 만족) 숫자로 답장해 주세요.");
        (await SurveyNoticesAsync()).ShouldHaveSingleItem().GetProperty("status").GetString().ShouldBe("sent");

        var row = (await SurveyAsync()).ShouldNotBeNull();
        row.Cohort.ShouldBe(SurveyCohorts.ToldEarly);
        row.Channel.ShouldBe(Channel.Sms);
        row.Locale.ShouldBe("ko-KR");
        row.Score.ShouldBeNull();
    }

    [Fact]
    public async Task SmsAnswersAreScoredTheLatestWinningAndTheWordsKeptAsAReply()
    {
        await DelayedAsync();
        await DeliveredAsync();
        SurveySms().ShouldHaveSingleItem();

        (await TextAsync("5")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var scored = (await SurveyAsync()).ShouldNotBeNull();
        scored.Score.ShouldBe(5);
        scored.ScoredAt.ShouldBe(host.Time.GetUtcNow());

        host.Time.Advance(TimeSpan.FromMinutes(3));
        (await TextAsync("2 택배기사가 불친절했어요")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBe(2);
        (await RepliesAsync()).Select(r => r.GetProperty("body").GetString()).ShouldBe(["5", "2 택배기사가 불친절했어요"]);
    }

    [Fact]
    public async Task APortugueseCustomersSurveyIsAStoredTemplateTheNoticeNamesAndABadOneIsRefused()
    {
        const string Route = "/v1/templates/survey/sms/pt-BR";
        using var bad = await host.Client.PutAsync(Route, JsonContent.Create(new { source = "[{{ shop.name }}]\nNota {{ survey.token }}" }), Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = await bad.Content.ReadFromJsonAsync<JsonElement>(Ct);
        (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()).ShouldBe((2, 9));
        error.GetProperty("error").GetString()!.ShouldContain("survey.token");

        static JsonObject Brazilian()
        {
            var customer = Customer_("SMS");
            customer["locale"] = "pt-BR";
            customer["name"] = "João";
            return customer;
        }

        await DelayedAsync(Brazilian());
        await DeliveredAsync();
        host.Twilio.Messages.Last().Body.ShouldBe("[Proactive] Seu pedido R-1 foi entregue. Como nos saímos? Responda de 1 (ruim) a 5 (ótimo) e, se quiser, conte mais.");
        (await SurveyNoticesAsync()).ShouldHaveSingleItem().GetProperty("template").GetString()!.ShouldStartWith("survey/sms/pt-BR@default:");

        using var stored = await host.Client.PutAsync(Route, JsonContent.Create(new { source = "[{{ shop.name }}] {{ customer.first_name }}, que nota de 1 a 5 você dá à entrega do pedido {{ order.id }}?" }), Ct);
        stored.StatusCode.ShouldBe(HttpStatusCode.OK, await stored.Content.ReadAsStringAsync(Ct));
        await DelayedAsync(Brazilian(), "R-2");
        await DeliveredAsync("R-2");
        host.Twilio.Messages.Last().Body.ShouldBe("[Proactive] João, que nota de 1 a 5 você dá à entrega do pedido R-2?");
        (await SurveyNoticesAsync("R-2")).ShouldHaveSingleItem().GetProperty("template").GetString().ShouldBe("survey/sms/pt-BR@api-1");
    }

    [Fact]
    public async Task AReplyAfterTheReplyWindowIsNotAScore()
    {
        await DelayedAsync();
        await DeliveredAsync();
        SurveySms().ShouldHaveSingleItem();

        await host.AdvanceAsync(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        (await TextAsync("4")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();
        (await RepliesAsync()).ShouldHaveSingleItem().GetProperty("body").GetString().ShouldBe("4");
    }

    [Fact]
    public async Task AReplyAfterALaterNoticeIsNotAScore()
    {
        await DelayedAsync();
        await DeliveredAsync();
        SurveySms().ShouldHaveSingleItem();

        // Another order of the same customer runs late: its SMS is now the latest to that number.
        await DelayedAsync(order: "R-2");
        host.Twilio.Messages.Last().Body.ShouldNotContain("5(매우 만족)");
        (await TextAsync("4")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();
        (await RepliesAsync("R-2")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ACustomerWhoSaidStopBeforeDeliveryIsNotAsked()
    {
        await DelayedAsync(Customer_("SMS", "EMAIL"));
        (await TextAsync("STOP")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = (host.Twilio.Requests, host.SendGrid.Requests);

        await DeliveredAsync();

        var survey = (await SurveyNoticesAsync()).ShouldHaveSingleItem();
        survey.GetProperty("status").GetString().ShouldBe("suppressed");
        survey.GetProperty("why").GetString()!.ShouldContain("opted out of SMS");
        (host.Twilio.Requests, host.SendGrid.Requests).ShouldBe(before);
        (await SurveyAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task ACustomerWhoOptedOutOfEmailIsNotAskedBySmsEither()
    {
        await DelayedAsync();
        using (var response = await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-out", JsonContent.Create(new { channel = "EMAIL" }), Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await DeliveredAsync();

        var survey = (await SurveyNoticesAsync()).ShouldHaveSingleItem();
        survey.GetProperty("status").GetString().ShouldBe("suppressed");
        survey.GetProperty("why").GetString()!.ShouldContain("opted out of email");
        SurveySms().ShouldBeEmpty();
        host.SendGrid.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task StopWhileTheSurveyWaitsForMorningWithdrawsItAndNothingGoesAnywhere()
    {
        await DelayedAsync(Customer_("SMS", "EMAIL"));
        await host.AdvanceAsync(new DateTimeOffset(2026, 11, 24, 22, 30, 0, TimeSpan.FromHours(9)) - host.Time.GetUtcNow());
        await DeliveredAsync();
        (await SurveyNoticesAsync()).ShouldHaveSingleItem().GetProperty("status").GetString().ShouldBe("deferred");
        var before = (host.Twilio.Requests, host.SendGrid.Requests);

        (await TextAsync("STOP")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await host.AdvanceAsync(TimeSpan.FromHours(12));

        var survey = (await SurveyNoticesAsync()).ShouldHaveSingleItem();
        survey.GetProperty("status").GetString().ShouldBe("suppressed");
        survey.GetProperty("why").GetString()!.ShouldContain("no email fallback for a survey");
        (host.Twilio.Requests, host.SendGrid.Requests).ShouldBe(before);
        SurveySms().ShouldBeEmpty();

        // A survey withdrawn before it went out was not asked.
        var summary = await host.Client.GetFromJsonAsync<JsonElement>("/v1/voice/summary", Ct);
        var asked = summary.TryGetProperty("totals", out var totals) && totals.TryGetProperty("surveysAsked", out var count) ? count.ToString() : "0";
        asked.ShouldBe("0");
    }

    [Fact]
    public async Task AnEmailOptOutWhileTheSurveyWaitsWithdrawsItAtSendTime()
    {
        await DelayedAsync();
        await host.AdvanceAsync(new DateTimeOffset(2026, 11, 24, 22, 30, 0, TimeSpan.FromHours(9)) - host.Time.GetUtcNow());
        await DeliveredAsync();
        using (var response = await host.Client.PostAsync($"/v1/customers/{Customer}/preferences:opt-out", JsonContent.Create(new { channel = "EMAIL" }), Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await host.AdvanceAsync(TimeSpan.FromHours(12));

        SurveySms().ShouldBeEmpty();
        (await SurveyNoticesAsync()).ShouldHaveSingleItem().GetProperty("why").GetString()!.ShouldContain("no survey");
    }

    [Fact]
    public async Task TheEmailSurveyIsAnsweredByALinkAndACommentOnTheLandingPage()
    {
        await DelayedAsync(Customer_("EMAIL"));
        await DeliveredAsync();

        var mail = host.SendGrid.Mails.Last();
        mail.Subject.ShouldBe("주문 R-1 배송은 어떠셨나요?");
        var links = SurveyLinks(mail.Text);
        links.Count.ShouldBe(5);
        mail.Html.ShouldContain(links[3].Replace("&", "&amp;", StringComparison.Ordinal));

        using (var page = await host.Client.GetAsync(PathOf(links[3]), Ct))
        {
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
            page.Headers.GetValues("Content-Security-Policy").Single().ShouldBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
            page.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
            page.Headers.CacheControl!.NoStore.ShouldBeTrue();
            page.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
            var html = await page.Content.ReadAsStringAsync(Ct);
            html.ShouldContain("5점 만점에 4점");
            html.ShouldContain("<form method=\"post\">");
            html.ShouldNotContain("<script", Case.Insensitive);
        }

        var survey = (await SurveyAsync()).ShouldNotBeNull();
        (survey.Score, survey.Channel, survey.ConfirmedAt).ShouldBe((4, Channel.Email, (DateTimeOffset?)null));

        // Opened again: nothing changes.
        using (var again = await host.Client.GetAsync(PathOf(links[3]), Ct))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await SurveyAsync()).ShouldNotBeNull().ScoredAt.ShouldBe(survey.ScoredAt);

        host.Time.Advance(TimeSpan.FromMinutes(2));
        using (var posted = await host.Client.PostAsync(
            PathOf(links[3]), new FormUrlEncodedContent([new("score", "4"), new("comment", "arrived damaged, box crushed")]), Ct))
        {
            posted.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await posted.Content.ReadAsStringAsync(Ct)).ShouldContain("소중한 의견 감사합니다");
        }

        var answered = (await SurveyAsync()).ShouldNotBeNull();
        answered.Score.ShouldBe(4);
        answered.ConfirmedAt.ShouldBe(host.Time.GetUtcNow());
    }

    [Fact]
    public async Task TamperedExpiredAndHeadRequestsRecordNothing()
    {
        await DelayedAsync(Customer_("EMAIL"));
        await DeliveredAsync();
        var links = SurveyLinks(host.SendGrid.Mails.Last().Text);

        using (var head = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, PathOf(links[2])), Ct))
        {
            head.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();

        // Score 2's payload with score 5's signature, a flipped signature, and nonsense.
        var (payload2, _) = Split(links[1]);
        var (_, mac5) = Split(links[4]);
        var (payload3, mac3) = Split(links[2]);
        var flipped = mac3[..^1] + (mac3[^1] == 'A' ? 'B' : 'A');
        foreach (var token in new[] { $"{payload2}.{mac5}", $"{payload3}.{flipped}", "not-a-token", $"{payload3}" })
        {
            using var bad = await host.Client.GetAsync($"/v1/survey/{token}", Ct);
            bad.StatusCode.ShouldBe(HttpStatusCode.NotFound, token);
            (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain("not valid");
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();

        host.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        using (var expired = await host.Client.GetAsync(PathOf(links[4]), Ct))
        {
            expired.StatusCode.ShouldBe(HttpStatusCode.Gone);
            (await expired.Content.ReadAsStringAsync(Ct)).ShouldContain("만료");
        }

        using (var late = await host.Client.PostAsync(PathOf(links[4]), new FormUrlEncodedContent([new("comment", "late")]), Ct))
        {
            late.StatusCode.ShouldBe(HttpStatusCode.Gone);
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();
    }

    [Fact]
    public async Task AScannerOpeningEveryLinkLeavesNoScoreUntilAPersonConfirms()
    {
        await DelayedAsync(Customer_("EMAIL"));
        await DeliveredAsync();
        var links = SurveyLinks(host.SendGrid.Mails.Last().Text);

        foreach (var link in links)
        {
            using var opened = await host.Client.GetAsync(PathOf(link), Ct);
            opened.StatusCode.ShouldBe(HttpStatusCode.OK);
            host.Time.Advance(TimeSpan.FromSeconds(2));
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();

        using (var posted = await host.Client.PostAsync(PathOf(links[4]), new FormUrlEncodedContent([new("score", "5")]), Ct))
        {
            posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBe(5);

        // A person clicking later (not within a minute of another click) is recorded.
        host.Time.Advance(TimeSpan.FromMinutes(5));
        using (var later = await host.Client.GetAsync(PathOf(links[2]), Ct))
        {
            later.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBe(3);
    }

    [Fact]
    public async Task TheCommentFormRefusesAnOversizedOrForeignBody()
    {
        await DelayedAsync(Customer_("EMAIL"));
        await DeliveredAsync();
        var link = PathOf(SurveyLinks(host.SendGrid.Mails.Last().Text)[0]);

        using (var big = await host.Client.PostAsync(link, new FormUrlEncodedContent([new("comment", new string('x', SurveyLanding.MaxFormBytes + 1))]), Ct))
        {
            big.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }

        using (var json = await host.Client.PostAsync(link, JsonContent.Create(new { comment = "x" }), Ct))
        {
            json.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        }

        using (var nine = await host.Client.PostAsync(link, new FormUrlEncodedContent([new("score", "9"), new("comment", "x")]), Ct))
        {
            nine.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await nine.Content.ReadAsStringAsync(Ct)).ShouldContain("score");
        }

        (await SurveyAsync()).ShouldNotBeNull().Score.ShouldBeNull();
    }

    [Fact]
    public async Task WithoutAPublicAddressNoSurveyIsAskedAndTheNoticeSaysWhy()
    {
        await RestartAsync(("Proactive:Webhooks:PublicBaseUrl", ""));
        await DelayedAsync(Customer_("SMS", "EMAIL"));
        var before = (host.Twilio.Requests, host.SendGrid.Requests);
        await DeliveredAsync();

        var survey = (await SurveyNoticesAsync()).ShouldHaveSingleItem();
        survey.GetProperty("status").GetString().ShouldBe("suppressed");
        survey.GetProperty("why").GetString()!.ShouldContain("PublicBaseUrl");
        (host.Twilio.Requests, host.SendGrid.Requests).ShouldBe(before);
    }

    [Fact]
    public async Task AudienceAllAsksASampleOfOrdersThatWereNeverLate()
    {
        await host.AcceptAsync(OrderPlaced("OK-1", Now.AddHours(-3), Promise, Customer_("SMS"), id: "OK-1-placed"));
        await host.DrainAsync();

        (await DeliveredNewsAgainAsync("OK-1", 5, episodes: 0)).ShouldBe(NewsOutcome.Decided);
        (await SurveyNoticesAsync("OK-1")).ShouldBeEmpty();

        await RestartAsync(("Proactive:Survey:Audience", "all"), ("Proactive:Survey:SampleRate", "0"));
        await host.AcceptAsync(OrderPlaced("OK-2", Now.AddHours(-3), Promise, Customer_("SMS"), id: "OK-2-placed"));
        await DeliveredNewsAgainAsync("OK-2", 5, episodes: 0);
        (await SurveyNoticesAsync("OK-2")).ShouldBeEmpty();
        await DeliveredNewsAgainAsync("OK-3", 5, episodes: 1);
        (await SurveyNoticesAsync("OK-3")).ShouldHaveSingleItem();

        await RestartAsync(("Proactive:Survey:Audience", "all"), ("Proactive:Survey:SampleRate", "1"));
        await DeliveredNewsAgainAsync("OK-4", 5, episodes: 0);
        (await SurveyNoticesAsync("OK-4")).ShouldHaveSingleItem().GetProperty("status").GetString().ShouldBe("sent");
        (await SurveyAsync("OK-4")).ShouldNotBeNull().Cohort.ShouldBe(SurveyCohorts.NotDelayed);
    }

    [Fact]
    public async Task OldDeliveryNewsAsksNothing()
    {
        await host.AcceptAsync(OrderPlaced("OLD-1", Now.AddHours(-3), Promise, Customer_("SMS"), id: "OLD-1-placed"));
        var change = new DelayEpisodeChanged
        {
            OrderId = "OLD-1",
            Sequence = 3,
            Kind = DelayEpisodeChanged.Types.Kind.Delivered,
            PromisedBy = Timestamp.FromDateTimeOffset(Promise),
            DeliveredAt = Timestamp.FromDateTimeOffset(Now.AddDays(-3)),
            EpisodeCount = 1,
            Customer = new Contracts.Events.V1.Customer { CustomerId = Customer, Phone = KoreanPhone, Locale = "ko-KR", TimeZone = "Asia/Seoul" },
        };
        (await host.Services.GetRequiredService<DelayEpisodeHandler>().HandleAsync("test", "old-1", change, Ct)).ShouldBe(NewsOutcome.Decided);

        (await SurveyNoticesAsync("OLD-1")).ShouldBeEmpty();
    }

    private static List<string> SurveyLinks(string text) => [.. LinkPattern().Matches(text).Select(m => m.Value)];

    private static string PathOf(string link) => new Uri(link).PathAndQuery;

    private static (string Payload, string Mac) Split(string link) => PathOf(link)["/v1/survey/".Length..].Split('.') is [var p, var m] ? (p, m) : throw new FormatException(link);

    [GeneratedRegex(@"https://hooks\.shop\.example/v1/survey/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPattern();
}
