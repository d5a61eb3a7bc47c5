using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier.Store;
using Proactive.Notifier.Voice;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>The customer's voice end to end — recorded from SMS replies, summarised, exported: on SQLite.</summary>
public sealed class VoiceTestsOnSqlite : VoiceTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class VoiceTestsOnPostgres : VoiceTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

public abstract class VoiceTests : IAsyncLifetime
{
    private const string PublicBase = InboundMessageTests.PublicBase;
    private const string InboundPath = InboundMessageTests.InboundPath;
    private const string Order = "R-1";
    private static readonly DateTimeOffset Now = StandaloneHost.Start; // 10:00 in Seoul
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private StandaloneHost host = null!;
    private int sids;

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => host = await StandaloneHost.StartAsync(store: Store, settings: InboundMessageTests.Webhooks);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private async Task ReplyAsync(string body, string from = KoreanPhone)
    {
        var sid = $"SM{Interlocked.Increment(ref sids):D32}";
        using var response = await TwilioSigning.PostAsync(
            host.Client, InboundPath, PublicBase + InboundPath, InboundMessageTests.InboundForm(sid, from, body), FakeTwilio.AuthToken, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>R-1 is late and the customer got our delay SMS.</summary>
    private async Task TextedAsync()
    {
        var customer = KoreanCustomer();
        customer["channels"] = new JsonArray("SMS");
        await host.AcceptAsync(
            OrderPlaced(Order, Now.AddHours(-3), Promise, customer, id: "placed"),
            ShipmentCreated(Order, "S-1", Now.AddHours(-1), Promise.AddHours(-3), id: "created"),
            Tracking(Order, "S-1", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: "tracking-1"));
        await host.DrainAsync();
        host.Twilio.Messages.ShouldHaveSingleItem();
    }

    private async Task<string> DelayReasonAsync() =>
        (await host.NoticesAsync(Order)).EnumerateArray().First().GetProperty("reason").GetString()!;

    private sealed record VoiceRow(
        string voice_id, string source, string? order_id, long? score, string text, string? language, string topics, string sentiment, string? reason, string? carrier, string? destination, long received_at);

    private async Task<List<VoiceRow>> VoiceRowsAsync()
    {
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        return [.. await c.QueryAsync<VoiceRow>(
            "SELECT voice_id, source, order_id, score, text, language, topics, sentiment, reason, carrier, destination, received_at FROM notifier_voice ORDER BY received_at, voice_id")];
    }

    /// <summary>
    /// A notifier_surveys row as the survey flow would write it (it lands separately; switch these
    /// tests to surveys asked and answered for real once it does).
    /// </summary>
    private async Task SurveyedAsync(
        string order, string cohort, int? score, DateTimeOffset askedAt, DateTimeOffset? scoredAt = null, string? reason = null, string? carrier = null, string? destination = null)
    {
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_surveys (order_id, notice_id, customer_id, channel, locale, cohort, first_told_at, promised_by, delivered_at,
                reason, exception_code, carrier, destination, asked_at, score, scored_at)
            VALUES (@order, @notice, 'C-9', 'Sms', 'ko-KR', @cohort, NULL, @promised, @asked, @reason, NULL, @carrier, @destination, @asked, @score, @scored)
            """,
            new
            {
                order,
                notice = $"{order}/survey/0/sms",
                cohort,
                promised = Promise.ToMs(),
                asked = askedAt.ToMs(),
                reason,
                carrier,
                destination,
                score,
                scored = score is null ? (long?)null : (scoredAt ?? askedAt.AddHours(1)).ToMs(),
            });
    }

    private async Task RecordAsync(VoiceInput input)
    {
        var recorder = host.Services.GetRequiredService<VoiceRecorder>();
        await host.Services.GetRequiredService<NoticeStore>().InTransactionAsync(
            async s =>
            {
                await recorder.RecordAsync(s, input);
                return 0;
            },
            Ct);
    }

    [Fact]
    public async Task AFreeTextReplyAfterADelayNoticeIsStoredClassifiedWithTheOrdersContext()
    {
        await TextedAsync();
        host.Time.Advance(TimeSpan.FromMinutes(10));

        await ReplyAsync("arrived damaged, box crushed");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await ReplyAsync("2 택배기사가 불친절했어요");

        var rows = await VoiceRowsAsync();
        rows.Count.ShouldBe(2);
        var damaged = rows[0];
        (damaged.source, damaged.order_id, damaged.text, damaged.topics, damaged.sentiment, damaged.language)
            .ShouldBe(("sms_reply", Order, "arrived damaged, box crushed", "damaged", "negative", "en"));
        (damaged.reason, damaged.carrier, damaged.destination).ShouldBe((await DelayReasonAsync(), "CJ Logistics", null));
        damaged.received_at.ShouldBe(Now.AddMinutes(10).ToMs());
        damaged.voice_id.ShouldStartWith("twilio:SM");

        var courier = rows[1];
        (courier.topics, courier.sentiment, courier.language, courier.text).ShouldBe(("courier_behaviour", "negative", "ko", "2 택배기사가 불친절했어요"));
    }

    [Fact]
    public async Task PhoneNumbersAndEmailsInAReplyAreMaskedAndTheRawTextIsStoredNowhereInTheVoiceTable()
    {
        await TextedAsync();
        const string Body = "late again! call 010-9876-5432 or 01098765432 or +821098765432, or mail kim.minji@example.co.kr";

        await ReplyAsync(Body);

        var row = (await VoiceRowsAsync()).ShouldHaveSingleItem();
        row.text.ShouldBe("late again! call [number] or [number] or [number], or mail [email]");
        row.topics.Split(' ').ShouldContain("late");
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        foreach (var secret in new[] { "9876", "5432", "kim.minji", "example.co.kr" })
        {
            (await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM notifier_voice WHERE text LIKE @p OR topics LIKE @p OR COALESCE(order_id, '') LIKE @p OR voice_id LIKE @p",
                new { p = $"%{secret}%" })).ShouldBe(0, secret);
        }
    }

    [Fact]
    public async Task AnItemIsRecordedOnceAndABlankTextNotAtAll()
    {
        var input = new VoiceInput("survey:R-5:1", VoiceSource.EmailSurvey, "R-5", "C-5", 4, "좋았어요", "ko-KR", Now);
        await RecordAsync(input);
        await RecordAsync(input with { Text = "changed words" });
        await RecordAsync(input with { VoiceId = "survey:R-5:2", Text = "  \r\n " });

        var row = (await VoiceRowsAsync()).ShouldHaveSingleItem();
        (row.voice_id, row.source, row.score, row.text).ShouldBe(("survey:R-5:1", "email_survey", 4L, "좋았어요"));
    }

    [Fact]
    public async Task TheSummaryCountsByTopicReasonCarrierAndSplitsCsatByCohort()
    {
        await TextedAsync();
        var reason = await DelayReasonAsync();

        // The words: two SMS replies about R-1 (its news: carrier CJ Logistics, no destination), one
        // survey comment about R-9 (its survey row: WEATHER, Hanjin, KR-26), one long before the range.
        await SurveyedAsync("R-9", "told_late", 1, Now.AddDays(-2), reason: "WEATHER", carrier: "Hanjin", destination: "KR-26");
        await RecordAsync(new VoiceInput("old", VoiceSource.SmsReply, Order, null, null, "box crushed", "ko-KR", Now.AddDays(-40)));
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await ReplyAsync("arrived damaged, box crushed");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await ReplyAsync("2 택배기사가 불친절했어요");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await RecordAsync(new VoiceInput("survey:R-9:1", VoiceSource.EmailSurvey, "R-9", "C-9", 1, "박스가 찌그러져서 왔어요 010-1111-2222", "ko-KR", host.Time.GetUtcNow()));

        // CSAT: told_early 5, 4, 2 (and one asked, not answered); told_late 3 and R-9's 1; never_told 1;
        // not_delayed 5; one scored long before the range.
        var asked = Now.AddDays(-2);
        await SurveyedAsync("E-1", "told_early", 5, asked);
        await SurveyedAsync("E-2", "told_early", 4, asked);
        await SurveyedAsync("E-3", "told_early", 2, asked);
        await SurveyedAsync("E-4", "told_early", null, asked);
        await SurveyedAsync("L-1", "told_late", 3, asked);
        await SurveyedAsync("N-1", "never_told", 1, asked);
        await SurveyedAsync("D-1", "not_delayed", 5, asked);
        await SurveyedAsync("OLD", "never_told", 5, Now.AddDays(-41), Now.AddDays(-40));

        host.Time.Advance(TimeSpan.FromSeconds(1)); // to (now) is exclusive
        var summary = await host.Client.GetFromJsonAsync<JsonElement>("/v1/voice/summary", Ct);

        var totals = summary.GetProperty("totals");
        (Long(totals, "voiceItems"), Long(totals, "surveysAsked"), Long(totals, "surveysAnswered")).ShouldBe((3L, 8L, 7L));
        totals.GetProperty("responseRate").GetDouble().ShouldBe(7.0 / 8, 0.0001);
        Counts(summary, "byTopic").ShouldBe(["damaged:2:2", "courier_behaviour:1:1"]);
        Counts(summary, "bySentiment").ShouldBe(["negative:3:3", "neutral:0:0", "positive:0:0"]);
        Counts(summary, "byReason").ShouldBe([$"{reason}:2:2", "WEATHER:1:1"]);
        Counts(summary, "byCarrier").ShouldBe(["CJ Logistics:2:2", "Hanjin:1:1"]);
        Counts(summary, "byDestination").ShouldBe(["none:2:2", "KR-26:1:1"]);

        var csat = summary.GetProperty("csat").EnumerateArray().ToDictionary(c => c.GetProperty("cohort").GetString()!);
        csat.Keys.ShouldBe(["told_early", "told_late", "never_told", "not_delayed"]);
        Csat(csat["told_early"]).ShouldBe((3L, 11.0 / 3, 2.0 / 3), new CsatComparer());
        Csat(csat["told_late"]).ShouldBe((2L, 2.0, 0.0), new CsatComparer());
        Csat(csat["never_told"]).ShouldBe((1L, 1.0, 0.0), new CsatComparer());
        Csat(csat["not_delayed"]).ShouldBe((1L, 5.0, 1.0), new CsatComparer());

        var quotes = summary.GetProperty("recentQuotes").EnumerateArray().ToList();
        quotes.Select(q => q.GetProperty("text").GetString()).ShouldBe(["박스가 찌그러져서 왔어요 [number]", "2 택배기사가 불친절했어요", "arrived damaged, box crushed"]);
        var newest = quotes[0];
        (newest.GetProperty("orderId").GetString(), newest.GetProperty("language").GetString(), newest.GetProperty("sentiment").GetString(), newest.GetProperty("score").GetInt32(), newest.GetProperty("source").GetString())
            .ShouldBe(("R-9", "ko", "negative", 1, "email_survey"));
        newest.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ShouldBe(["damaged"]);
        quotes[1].TryGetProperty("score", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task ACohortNobodyAnsweredHasNoMeanAndTheRangeBoundsTheCounts()
    {
        await SurveyedAsync("E-1", "told_early", 4, Now.AddDays(-3), Now.AddDays(-3));
        await SurveyedAsync("E-2", "told_early", 2, Now.AddDays(-1), Now.AddDays(-1));

        var from = Uri.EscapeDataString(Ts(Now.AddDays(-2)));
        var summary = await host.Client.GetFromJsonAsync<JsonElement>($"/v1/voice/summary?from={from}", Ct);

        var csat = summary.GetProperty("csat").EnumerateArray().ToList();
        Csat(csat[0]).ShouldBe((1L, 2.0, 0.0), new CsatComparer());
        csat[1].GetProperty("answered").GetInt32().ShouldBe(0);
        csat[1].TryGetProperty("meanScore", out _).ShouldBeFalse();
        csat[1].TryGetProperty("share4To5", out _).ShouldBeFalse();
        summary.GetProperty("totals").TryGetProperty("responseRate", out var rate).ShouldBeTrue();
        rate.GetDouble().ShouldBe(1.0);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-11-24", "to")]
    [InlineData("from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z", "from")]
    [InlineData("from=2025-01-01T00:00:00Z&to=2026-11-23T00:00:00Z", "from")]
    public async Task ABadRangeIsRefusedNamingTheFieldByBothEndpoints(string query, string field)
    {
        foreach (var path in new[] { "/v1/voice/summary", "/v1/voice/replies.csv" })
        {
            using var response = await host.Client.GetAsync($"{path}?{query}", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, path);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain($"{field}: must", Case.Sensitive, path);
        }
    }

    [Fact]
    public async Task TheCsvOpensInASpreadsheetWithKoreanIntactFormulasNeutralisedAndEveryCellRoundTripping()
    {
        await TextedAsync();
        await SurveyedAsync("R-9", "told_late", 2, Now.AddDays(-1), carrier: "Han\r\njin, \"Express\"", destination: "KR-26");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await ReplyAsync("2 택배기사가 불친절했어요");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await ReplyAsync("=HYPERLINK(\"x\")");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await RecordAsync(new VoiceInput("survey:R-9:1", VoiceSource.SmsSurvey, "R-9", "C-9", 2, "late, \"very\" late", "en-US", host.Time.GetUtcNow()));

        host.Time.Advance(TimeSpan.FromSeconds(1)); // to (now) is exclusive
        using var response = await host.Client.GetAsync("/v1/voice/replies.csv", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/csv; charset=utf-8");
        var disposition = response.Content.Headers.ContentDisposition!;
        disposition.DispositionType.ShouldBe("attachment");
        disposition.FileName!.Trim('"').ShouldBe("voice-replies-20261025T010301Z-20261124T010301Z.csv");
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3);
        csv.ShouldContain("\"'=HYPERLINK(\"\"x\"\")\"\r\n");

        var records = CsvReader.Read(csv);
        records[0].ShouldBe(VoiceCsvEndpoint.Header);
        var rows = records.Skip(1).Select(r => VoiceCsvEndpoint.Header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
        rows.Count.ShouldBe(3);
        (rows[0]["text"], rows[0]["language"], rows[0]["topics"], rows[0]["sentiment"], rows[0]["order_id"], rows[0]["carrier"])
            .ShouldBe(("2 택배기사가 불친절했어요", "ko", "courier_behaviour", "negative", Order, "CJ Logistics"));
        rows[0]["received_at"].ShouldBe("2026-11-24T01:01:00.000Z");
        rows[1]["text"].ShouldBe("'=HYPERLINK(\"x\")");
        (rows[2]["text"], rows[2]["carrier"], rows[2]["destination"], rows[2]["cohort"], rows[2]["score"], rows[2]["source"])
            .ShouldBe(("late, \"very\" late", "Han\r\njin, \"Express\"", "KR-26", "told_late", "2", "sms_survey"));
    }

    [Fact]
    public async Task TheCsvPagesThroughMoreRowsThanAPageEvenAtOneInstant()
    {
        var count = (2 * VoiceCsvEndpoint.PageSize) + 1;
        var recorder = host.Services.GetRequiredService<VoiceRecorder>();
        await host.Services.GetRequiredService<NoticeStore>().InTransactionAsync(
            async s =>
            {
                for (var i = 0; i < count; i++)
                {
                    await recorder.RecordAsync(s, new VoiceInput($"v-{i:D5}", VoiceSource.SmsReply, null, null, null, $"reply {i}", "en", Now.AddMinutes(-1)));
                }

                return 0;
            },
            Ct);

        var csv = await host.Client.GetStringAsync("/v1/voice/replies.csv", Ct);

        var ids = CsvReader.Read(csv.TrimStart(Csv.ByteOrderMark)).Skip(1).Select(r => r[1]).ToList();
        ids.ShouldBe(Enumerable.Range(0, count).Select(i => $"v-{i:D5}"));
    }

    private static long Long(JsonElement e, string name) =>
        e.GetProperty(name) is { ValueKind: JsonValueKind.String } s ? long.Parse(s.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetProperty(name).GetInt64();

    private static List<string> Counts(JsonElement summary, string name) =>
        [.. summary.GetProperty(name).EnumerateArray().Select(c => $"{c.GetProperty("key").GetString()}:{Long(c, "count")}:{Long(c, "negative")}")];

    private static (long Answered, double Mean, double Share) Csat(JsonElement c) =>
        (Long(c, "answered"), c.GetProperty("meanScore").GetDouble(), c.GetProperty("share4To5").GetDouble());

    private sealed class CsatComparer : IEqualityComparer<(long Answered, double Mean, double Share)>
    {
        public bool Equals((long Answered, double Mean, double Share) x, (long Answered, double Mean, double Share) y) =>
            x.Answered == y.Answered && Math.Abs(x.Mean - y.Mean) < 0.0001 && Math.Abs(x.Share - y.Share) < 0.0001;

        public int GetHashCode((long Answered, double Mean, double Share) obj) => obj.Answered.GetHashCode();
    }
}
