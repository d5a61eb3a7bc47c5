using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Proactive.Standalone.Replay;
using Proactive.Tests.Shared;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// The replay command end to end, in process: a small history written here goes through the real
/// ingest reader, Tracker, Notifier and dispatcher on the virtual clock, and the files it writes
/// are read back.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private static readonly TimeSpan Seoul = TimeSpan.FromHours(9);
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, Seoul);
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 10, 0, 0, Seoul);

    private readonly string directory = Directory.CreateTempSubdirectory("proactive-replay-tests-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>
    /// LATE: its estimate slips past the promise at 14:00 in Seoul (told at once), slips 16 h more the
    /// next day, and it arrives late. ONTIME: delivered before its promise. NIGHT: slips at 23:30 in
    /// Seoul (the email goes at once, the SMS waits for 08:00). Line 5 is not JSON; line 9 has a
    /// status the contract does not know. Every line carries the optional topic attribute.
    /// </summary>
    private static List<string> History()
    {
        JsonObject WithTopic(JsonObject e)
        {
            e["topic"] = e["type"]!.GetValue<string>().Contains(".shipment.", StringComparison.Ordinal) ? "shipments" : "orders";
            return e;
        }

        var lines = new List<JsonObject>
        {
            OrderPlaced("LATE", Day, Promise, id: "late-placed"),
            OrderPlaced("ONTIME", Day.AddMinutes(5), Promise, id: "ontime-placed"),
            OrderPlaced("NIGHT", Day.AddMinutes(10), Promise, id: "night-placed"),
            ShipmentCreated("LATE", "S-1", Day.AddDays(1), Promise.AddDays(-1), id: "late-created"),
            ShipmentCreated("ONTIME", "S-2", Day.AddDays(1).AddMinutes(5), Promise.AddDays(-2), id: "ontime-created"),
            ShipmentCreated("NIGHT", "S-3", Day.AddDays(1).AddMinutes(10), Promise.AddDays(-1), id: "night-created"),
            Tracking("LATE", "S-1", new DateTimeOffset(2026, 11, 23, 14, 0, 0, Seoul), "IN_TRANSIT", new DateTimeOffset(2026, 11, 28, 18, 0, 0, Seoul), id: "late-slip"),
            Tracking("NIGHT", "S-3", new DateTimeOffset(2026, 11, 23, 23, 30, 0, Seoul), "IN_TRANSIT", new DateTimeOffset(2026, 11, 28, 18, 0, 0, Seoul), id: "night-slip"),
            Tracking("LATE", "S-1", new DateTimeOffset(2026, 11, 24, 14, 0, 0, Seoul), "IN_TRANSIT", new DateTimeOffset(2026, 11, 29, 10, 0, 0, Seoul), id: "late-slip-again"),
            Tracking("ONTIME", "S-2", new DateTimeOffset(2026, 11, 24, 15, 0, 0, Seoul), "DELIVERED", id: "ontime-delivered"),
            Tracking("LATE", "S-1", new DateTimeOffset(2026, 11, 29, 9, 0, 0, Seoul), "DELIVERED", id: "late-delivered"),
            Tracking("NIGHT", "S-3", new DateTimeOffset(2026, 11, 28, 16, 0, 0, Seoul), "DELIVERED", id: "night-delivered"),
        }.Select(e => WithTopic(e).ToJsonString()).ToList();

        // Shuffled a little: the replay orders by occurredAt, not by line.
        (lines[1], lines[3]) = (lines[3], lines[1]);
        lines.Insert(4, "this is not json");
        var unknownStatus = Tracking("NIGHT", "S-3", new DateTimeOffset(2026, 11, 25, 9, 0, 0, Seoul), "FLYING", id: "night-flying");
        lines.Insert(8, WithTopic(unknownStatus).ToJsonString());
        return lines;
    }

    private async Task<(int Exit, string Out, string Console)> ReplayAsync(string input, Stream? stdin = null, params string[] options)
    {
        var output = Path.Combine(directory, $"out-{Guid.NewGuid():N}");
        var console = new StringWriter();
        var exit = await ReplayCommand.RunAsync([input, "--out", output, .. options], console, stdin ?? Stream.Null, TestContext.Current.CancellationToken);
        return (exit, output, console.ToString());
    }

    private string Write(IEnumerable<string> lines, string name = "events.jsonl")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static List<JsonElement> Notices(string output) =>
        File.ReadAllLines(Path.Combine(output, "notices.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static JsonElement Report(string output) => JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement;

    [Fact]
    public async Task AStoppedReplayWritesNothingAndSaysSo()
    {
        var output = Path.Combine(directory, "stopped");
        var console = new StringWriter();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var exit = await ReplayCommand.RunAsync([Write(History()), "--out", output], console, Stream.Null, stop.Token);

        exit.ShouldBe(ReplayCommand.Stopped);
        console.ToString().ShouldContain("Replay stopped; no output written.");
        Directory.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task ADraftTemplateFolderChangesWhatTheReplayedCustomersRead()
    {
        var drafts = Path.Combine(directory, "drafts");
        Directory.CreateDirectory(Path.Combine(drafts, "delay", "sms"));
        File.WriteAllText(Path.Combine(drafts, "delay", "sms", "ko.liquid"), "[{{ shop.name }}] 초안: 주문 {{ order.id }} {{ new_date }}");

        var (exit, output, console) = await ReplayAsync(Write(History()), null, "--templates", drafts);

        exit.ShouldBe(0, console);
        var sms = Notices(output).Single(n => n.GetProperty("orderId").GetString() == "LATE" && n.GetProperty("status").GetString() == "SENT" && n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("text").GetString()!.ShouldEndWith("초안: 주문 LATE 11월 28일(토)");
        sms.GetProperty("template").GetString()!.ShouldStartWith("delay/sms/ko@file:");
    }

    [Fact]
    public async Task ALateOrderIsToldAtItsVirtualInstantAndAnOnTimeOrderIsNot()
    {
        var (exit, output, console) = await ReplayAsync(Write(History()));

        exit.ShouldBe(0, console);
        var notices = Notices(output);
        notices.ShouldNotContain(n => n.GetProperty("orderId").GetString() == "ONTIME");
        var late = notices.Where(n => n.GetProperty("orderId").GetString() == "LATE" && n.GetProperty("status").GetString() == "SENT").ToList();
        late.Select(n => n.GetProperty("channel").GetString()).ShouldBe(["EMAIL", "SMS"]); // per news, by channel name
        foreach (var n in late)
        {
            n.GetProperty("episodeId").GetString().ShouldBe("LATE/delay-1");
            n.GetProperty("kind").GetString().ShouldBe("DELAY");
            n.GetProperty("reason").GetString().ShouldBe("ETA_SLIP");
            n.GetProperty("decidedAt").GetString().ShouldBe("2026-11-23T05:00:00.000Z");
            n.GetProperty("sentAt").GetString().ShouldBe("2026-11-23T05:00:00.000Z");
            n.GetProperty("promisedBy").GetString().ShouldBe("2026-11-26T12:00:00.000Z");
            n.GetProperty("estimatedDeliveryAt").GetString().ShouldBe("2026-11-28T09:00:00.000Z");
            n.GetProperty("predictedProbability").ValueKind.ShouldBe(JsonValueKind.Null);
            n.GetProperty("text").GetString()!.ShouldContain("11월 28일");
        }

        // The second slip is 16 h, under RenotifySlip (24 h): recorded, not sent.
        notices.ShouldContain(n => n.GetProperty("orderId").GetString() == "LATE" && n.GetProperty("status").GetString() == "SUPPRESSED"
            && n.GetProperty("decidedAt").GetString() == "2026-11-24T05:00:00.000Z");

        var report = Report(output);
        report.GetProperty("orders").GetInt32().ShouldBe(3);
        report.GetProperty("delivered").GetInt32().ShouldBe(3);
        report.GetProperty("late").GetInt32().ShouldBe(2);
        report.GetProperty("lateToldBeforePromise").GetInt32().ShouldBe(2);
        report.GetProperty("shareOfLateToldBeforePromise").GetDouble().ShouldBe(1.0);
        report.GetProperty("warningsProvedWrong").GetInt32().ShouldBe(0);
        var lead = report.GetProperty("leadTimeHours");
        lead.GetProperty("count").GetInt32().ShouldBe(2);
        lead.GetProperty("p10").GetDouble().ShouldBe(69.5); // NIGHT: the email at 23:30 on the 23rd, promise 21:00 on the 26th
        lead.GetProperty("p90").GetDouble().ShouldBe(79.0); // LATE: 14:00 on the 23rd
        // The lead-time plot's bins (12 h): 69.5 h and 79.0 h fall in [60, 72) and [72, 84).
        report.GetProperty("leadTimeHistogram").EnumerateArray().Select(b => (b.GetProperty("fromHours").GetDouble(), b.GetProperty("orders").GetInt32()))
            .ShouldBe([(60.0, 1), (72.0, 1)]);
        report.GetProperty("ordersByNoticesSent").GetProperty("0").GetInt32().ShouldBe(1);
        report.GetProperty("noticesSentByReason").GetProperty("ETA_SLIP").GetInt32().ShouldBe(2);
        File.ReadAllText(Path.Combine(output, "report.md")).ShouldContain("| 3 | 3 | 0 | 2 | 2 (100.0 %) | 0 | 0 |");
        File.ReadAllLines(Path.Combine(output, "episodes.jsonl")).Length.ShouldBe(2);
    }

    [Fact]
    public async Task AnSmsDecidedInQuietHoursIsSentAtEightInTheMorningLocalTime()
    {
        var (exit, output, console) = await ReplayAsync(Write(History()));

        exit.ShouldBe(0, console);
        var night = Notices(output).Where(n => n.GetProperty("orderId").GetString() == "NIGHT").ToList();
        var sms = night.Single(n => n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("status").GetString().ShouldBe("SENT");
        sms.GetProperty("decidedAt").GetString().ShouldBe("2026-11-23T14:30:00.000Z");
        sms.GetProperty("sentAt").GetString().ShouldBe("2026-11-23T23:00:00.000Z"); // 08:00 on the 24th in Seoul
        var email = night.Single(n => n.GetProperty("channel").GetString() == "EMAIL");
        email.GetProperty("sentAt").GetString().ShouldBe("2026-11-23T14:30:00.000Z");
    }

    [Fact]
    public async Task BadLinesAreReportedWithTheirNumberAndFieldAndTheRestIsReplayed()
    {
        var (exit, output, console) = await ReplayAsync(Write(History()));

        exit.ShouldBe(0, console);
        var report = Report(output);
        report.GetProperty("events").GetInt32().ShouldBe(14);
        report.GetProperty("eventsAccepted").GetInt32().ShouldBe(12);
        report.GetProperty("badLines").GetInt32().ShouldBe(2);
        var bad = report.GetProperty("badLineDetails").EnumerateArray().ToList();
        bad[0].GetProperty("line").GetInt32().ShouldBe(5);
        bad[0].GetProperty("errors").GetString()!.ShouldStartWith("event: is not valid JSON");
        bad[1].GetProperty("line").GetInt32().ShouldBe(9);
        bad[1].GetProperty("errors").GetString()!.ShouldStartWith("data.status:");
        File.ReadAllText(Path.Combine(output, "report.md")).ShouldContain("- line 9: data.status:");
    }

    [Fact]
    public async Task TheSameInputTwiceGivesByteIdenticalNotices()
    {
        var input = Write(History());

        var first = await ReplayAsync(input);
        var second = await ReplayAsync(input);

        first.Exit.ShouldBe(0, first.Console);
        second.Exit.ShouldBe(0, second.Console);
        var a = File.ReadAllBytes(Path.Combine(first.Out, "notices.jsonl"));
        a.Length.ShouldBeGreaterThan(0);
        a.ShouldBe(File.ReadAllBytes(Path.Combine(second.Out, "notices.jsonl")));
        foreach (var file in new[] { "report.json", "report.md", "lead-time.svg", "threshold-sweep.svg" })
        {
            File.ReadAllBytes(Path.Combine(first.Out, file)).ShouldBe(File.ReadAllBytes(Path.Combine(second.Out, file)), file);
        }
    }

    [Fact]
    public async Task ASettingChangesTheOutcomeAsItWouldLive()
    {
        var (exit, output, console) = await ReplayAsync(Write(History()), null, "--set", "Proactive:Notices:RenotifySlip=12:00:00");

        exit.ShouldBe(0, console);
        var further = Notices(output).Where(n => n.GetProperty("orderId").GetString() == "LATE" && n.GetProperty("kind").GetString() == "FURTHER_DELAY").ToList();
        further.Count.ShouldBe(2);
        further.ShouldAllBe(n => n.GetProperty("status").GetString() == "SENT" && n.GetProperty("sentAt").GetString() == "2026-11-24T05:00:00.000Z");
    }

    [Fact]
    public async Task GzipAndStdinAreReadLikeAPlainFile()
    {
        var plain = await ReplayAsync(Write(History()));
        var gz = Path.Combine(directory, "events.jsonl.gz");
        await using (var file = File.Create(gz))
        await using (var zip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes(string.Join("\n", History())), TestContext.Current.CancellationToken);
        }

        var zipped = await ReplayAsync(gz);
        var piped = await ReplayAsync("-", new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\r\n", History()))));

        zipped.Exit.ShouldBe(0, zipped.Console);
        piped.Exit.ShouldBe(0, piped.Console);
        var expected = File.ReadAllBytes(Path.Combine(plain.Out, "notices.jsonl"));
        File.ReadAllBytes(Path.Combine(zipped.Out, "notices.jsonl")).ShouldBe(expected);
        File.ReadAllBytes(Path.Combine(piped.Out, "notices.jsonl")).ShouldBe(expected);
        Report(piped.Out).GetProperty("badLines").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task TheReportCarriesTheThresholdSweepAndLinksItsPlots()
    {
        var (exit, output, console) = await ReplayAsync(Write(History()), null, "--set", "Proactive:Prediction:Threshold=0.62");

        exit.ShouldBe(0, console);
        var sweep = Report(output).GetProperty("thresholdSweep");
        sweep.GetProperty("configuredThreshold").GetDouble().ShouldBe(0.62);
        var rows = sweep.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("threshold").GetDouble()).ShouldBe([0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.62, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95]);

        // At the configured threshold the sweep warns the orders Tracker warned (none here: the model has too few deliveries to speak).
        var predicted = Notices(output).Where(n => n.GetProperty("reason").GetString() == "PREDICTED_LATE").Select(n => n.GetProperty("orderId").GetString()).Distinct().Count();
        rows.Single(r => r.GetProperty("threshold").GetDouble() == 0.62).GetProperty("warnedOrders").GetInt32().ShouldBe(predicted);
        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        markdown.ShouldContain("| 0.62 (configured) |");
        foreach (var plot in new[] { "lead-time.svg", "threshold-sweep.svg" })
        {
            markdown.ShouldContain($"]({plot})");
            System.Xml.Linq.XDocument.Load(Path.Combine(output, plot)).Root!.Name.LocalName.ShouldBe("svg");
        }
    }

    [Fact]
    public async Task AGeneratedHistoryIsAcceptedWholeAndItsLateOrdersAreTold()
    {
        var history = SyntheticHistory.Generate(150, seed: 3);

        var (exit, output, console) = await ReplayAsync(Write(SyntheticHistory.ToJsonLines(history)));

        exit.ShouldBe(0, console);
        var report = Report(output);
        report.GetProperty("badLines").GetInt32().ShouldBe(0);
        report.GetProperty("eventsAccepted").GetInt32().ShouldBe(history.Count);
        report.GetProperty("orders").GetInt32().ShouldBe(150);
        report.GetProperty("delivered").GetInt32().ShouldBeGreaterThan(100);
    }

    [Theory]
    [InlineData(new string[0], "the input file is missing")]
    [InlineData(new[] { "a.jsonl", "--set", "NoEquals" }, "--set takes Key=Value")]
    [InlineData(new[] { "a.jsonl", "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "a.jsonl", "--out" }, "--out needs a value")]
    public void WrongArgumentsAreExplained(string[] args, string error) =>
        ReplayCommand.Parse(args).Error!.ShouldContain(error);

    [Fact]
    public void TheProgressLineRewritesItselfAndSaysHowFarAndHowFast()
    {
        var console = new StringWriter();
        var progress = new ReplayProgress(console, 10);

        progress.Report(10);
        progress.Finish();

        console.ToString().ShouldStartWith("\r10/10 events, ");
        console.ToString().ShouldContain("events/s, 00:00:00 left");
    }
}
