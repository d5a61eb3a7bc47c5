using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Proactive.CxConsole;
using Proactive.CxConsole.Backtest;
using Proactive.ServiceDefaults.Auth;
using Proactive.Standalone.Replay;

namespace Proactive.Standalone.Tests.Console;

/// <summary>
/// The console's Backtest page in process: the replay reports in the configured folder are listed and
/// the newest shown; an uploaded report.json is shown; a malformed one is refused naming what is
/// wrong; without a session the page sends the browser to sign in.
/// </summary>
public sealed partial class BacktestPageTests : IDisposable
{
    private static readonly string Agent = ApiKey.Mint();
    private readonly string folder = Path.Combine(Path.GetTempPath(), "proactive-tests", "replay-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dictionary<string, string?> Settings() => new()
    {
        ["Proactive:Auth:Mode"] = "Required",
        ["Proactive:Auth:ApiKeys:agent:Hash"] = ApiKey.Hash(Agent),
        ["Proactive:Auth:ApiKeys:agent:Scopes"] = "orders:read",
        ["Proactive:Console:ReplayReports"] = folder,
    };

    /// <summary>A report as the replay command writes it (ReplayJson.Indented), with figures a test can find.</summary>
    public static string ReportJson(int orders, double precisionAt50) => JsonSerializer.Serialize(
        new ReplayReport(
            Events: 40, EventsAccepted: 39, Orders: orders, OrdersWithoutTerms: 0, Delivered: 10, Cancelled: 1, Late: 4,
            LateToldBeforePromise: 3, ShareOfLateToldBeforePromise: 0.75, LateToldAfterPromise: 1, LateNeverTold: 0,
            LeadTimeHours: new LeadTimes(4, 2.5, 7.25, 20.0),
            OrdersByNoticesSent: new Dictionary<string, int> { ["0"] = 8, ["1"] = 4 },
            NoticesSentByReason: new Dictionary<string, int> { ["CARRIER_EXCEPTION"] = 2, ["ETA_SLIP"] = 3 },
            NoticeLinesByStatus: new Dictionary<string, int> { ["SENT"] = 9 },
            WarningsProvedWrong: 1, BadLines: 1, BadLineDetails: [new BadLineEntry(7, "orderId: required")],
            FirstEventAt: "2026-03-01T00:00:00.000Z", ClockEndedAt: "2026-03-09T00:00:00.000Z",
            ThresholdSweep: new SweepReport(0.5, 120, [new SweepRow(0.5, 5, 4, precisionAt50, 3, 0.75, 7.25), new SweepRow(0.6, 3, 3, 1.0, 2, 0.5, 5.0)]),
            LeadTimeHistogram: LeadTimeBin.Of([2.5, 7.25, 13, 20.0])),
        ReplayJson.Indented);

    private static HttpClient Browser(StandaloneHost host) =>
        new(new CookieContainerHandler { InnerHandler = host.Handler() }) { BaseAddress = new Uri("http://localhost") };

    private static async Task SignInAsync(HttpClient browser)
    {
        var form = await browser.GetStringAsync("/console/sign-in", Ct);
        var fields = new Dictionary<string, string> { ["Key"] = Agent, ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value };
        using var signedIn = await browser.PostAsync("/console/sign-in", new FormUrlEncodedContent(fields), Ct);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient browser, string fileName, string content)
    {
        var page = await browser.GetStringAsync("/console/backtest", Ct);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Token().Match(page).Groups[1].Value), "__RequestVerificationToken" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "upload", fileName);
        return await browser.PostAsync("/console/backtest", form, Ct);
    }

    [Fact]
    public async Task AReportInTheFolderIsListedAndItsFiguresShown()
    {
        Directory.CreateDirectory(Path.Combine(folder, "march"));
        await File.WriteAllTextAsync(Path.Combine(folder, "march", ReplayReports.FileName), ReportJson(orders: 12, precisionAt50: 0.8), Ct);
        await using var host = await StandaloneHost.StartAsync(settings: Settings());
        using var browser = Browser(host);
        await SignInAsync(browser);

        var page = await browser.GetStringAsync("/console/backtest?report=march", Ct);
        var none = await browser.GetAsync("/console/backtest?report=..%2F..%2Fetc", Ct);

        page.ShouldContain("href=\"/console/backtest\"");
        page.ShouldContain("<option value=\"march\" selected=\"selected\">march (");
        page.ShouldContain("Report: march");
        Regex.IsMatch(page, "<th scope=\"row\">Orders</th><td class=\"num\">12</td>").ShouldBeTrue();
        Regex.IsMatch(page, "<th scope=\"row\">0.50 \\*</th>\\s*<td class=\"num\">5</td><td class=\"num\">0.800</td>\\s*<td class=\"num\">0.750</td><td class=\"num\">7.3</td>").ShouldBeTrue();
        page.ShouldContain("\"data\":[80,100]");
        page.ShouldContain("<th scope=\"row\">ETA_SLIP</th><td class=\"num\">3</td>");

        // Both of the replay's plots: the lead-time histogram (two 12-hour bins) and the sweep with its median lead on the right axis.
        page.ShouldContain("<tr><th scope=\"row\">0.0</th><td class=\"num\">12.0</td><td class=\"num\">2</td></tr>");
        page.ShouldContain("<tr><th scope=\"row\">12.0</th><td class=\"num\">24.0</td><td class=\"num\">2</td></tr>");
        page.ShouldContain("{\"labels\":[\"0.0\",\"12.0\"],\"series\":[{\"label\":\"Late orders\",\"data\":[2,2]}]}");
        page.ShouldContain("{\"label\":\"Median lead h\",\"data\":[7.25,5],\"axis\":\"right\"}");
        page.ShouldContain("<canvas data-chart=\"line\" data-source=\"sweep-data\"");
        Regex.Matches(page, "<canvas [^>]*aria-describedby=\"(outcomes|histogram|reasons|sweep)\"").Count.ShouldBe(4);
        page.ShouldContain("<table id=\"orders-by-notices\">");
        (await none.Content.ReadAsStringAsync(Ct)).ShouldContain("report: no report named &quot;../../etc&quot; in the reports folder.");
    }

    [Fact]
    public async Task AnUploadedReportIsShownAndAMalformedOneRefusedNamingTheProblem()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Settings());
        using var browser = Browser(host);
        await SignInAsync(browser);

        var empty = await browser.GetStringAsync("/console/backtest", Ct);
        using var good = await UploadAsync(browser, "report.json", ReportJson(orders: 31, precisionAt50: 0.6));
        using var missing = await UploadAsync(browser, "report.json", ReportJson(31, 0.6).Replace("\"orders\": 31,", "", StringComparison.Ordinal));
        using var notJson = await UploadAsync(browser, "report.md", "# Replay report\n");
        using var share = await UploadAsync(browser, "report.json", ReportJson(31, 1.6));

        empty.ShouldContain("No report.json in");
        good.StatusCode.ShouldBe(HttpStatusCode.OK);
        var shown = await good.Content.ReadAsStringAsync(Ct);
        shown.ShouldContain("Report: report.json");
        Regex.IsMatch(shown, "<th scope=\"row\">Orders</th><td class=\"num\">31</td>").ShouldBeTrue();
        shown.ShouldContain("0.600");
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await missing.Content.ReadAsStringAsync(Ct)).ShouldContain("missing required properties including: &#x27;orders&#x27;");
        notJson.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await notJson.Content.ReadAsStringAsync(Ct)).ShouldContain("report.json at $ (line 1):");
        (await share.Content.ReadAsStringAsync(Ct)).ShouldContain("report.json at $.thresholdSweep.rows[0]: threshold, precision and recall must lie between 0 and 1.");
        Directory.Exists(folder).ShouldBeFalse(); // nothing stored
    }

    [Fact]
    public async Task AReportWrittenBeforeTheHistogramIsShownWithoutIt()
    {
        var old = JsonNode.Parse(ReportJson(orders: 12, precisionAt50: 0.8))!.AsObject();
        old.Remove("leadTimeHistogram").ShouldBeTrue();
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ReplayReports.FileName), old.ToJsonString(), Ct);
        await using var host = await StandaloneHost.StartAsync(settings: Settings());
        using var browser = Browser(host);
        await SignInAsync(browser);

        using var response = await browser.GetAsync("/console/backtest", Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Regex.IsMatch(page, "<th scope=\"row\">Orders</th><td class=\"num\">12</td>").ShouldBeTrue();
        page.ShouldContain("<p id=\"no-histogram\">This report.json was written before the replay kept its lead-time bins");
        page.ShouldNotContain("histogram-data");
    }

    [Fact]
    public async Task WithoutASessionTheBacktestPageSendsTheBrowserToSignIn()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Settings());
        using var browser = Browser(host);

        using var response = await browser.GetAsync("/console/backtest", Ct);
        using var post = await browser.PostAsync("/console/backtest", new MultipartFormDataContent(), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe(ConsoleExtensions.SignInPath);
        post.StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
