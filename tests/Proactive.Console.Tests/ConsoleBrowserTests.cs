using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Proactive.Console.Tests;

/// <summary>
/// A CX agent's walk through the demo in Chromium: sign in with the key the demo printed, see the
/// late orders, open one and read its notices with why, the customer's reply and survey score, open
/// the incident, read the customer voice. Screenshots go to docs/console for the README.
/// </summary>
public sealed class ConsoleBrowserTests(DemoConsole demo) : IClassFixture<DemoConsole>
{
    private static readonly string[] Pages = ["/console", "/console/order?id=DEMO-KR-1001", "/console/incidents", "/console/voice", "/console/backtest", "/console/sign-out"];

    [Fact]
    public void TheDemoPrintsTheConsoleAddressAndALogin()
    {
        demo.ConsoleAddress.AbsolutePath.ShouldBe("/console");
        demo.Output.ShouldContain($"sign in with the API key {demo.ApiKey}");
    }

    [Fact]
    public async Task WithoutASessionEveryConsolePageRedirectsToSignIn()
    {
        var page = await NewPageAsync();
        foreach (var path in Pages)
        {
            await page.GotoAsync(path);
            page.Url.ShouldContain("/console/sign-in", customMessage: path);
            (await page.Locator("body").InnerTextAsync()).ShouldNotContain("DEMO-", customMessage: path);
            (await page.Locator("#key").CountAsync()).ShouldBe(1);
        }

        // Plain HTTP says the same, without following: 302 to the sign-in page, not a 401.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = demo.ConsoleAddress };
        foreach (var path in Pages.Where(p => !p.EndsWith("sign-out", StringComparison.Ordinal)))
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, path);
            response.Headers.Location!.ToString().ShouldContain("/console/sign-in");
        }

        // The APIs keep answering as before (the demo's APIs are open): a JSON API is not redirected.
        using var api = await http.GetAsync("/v1/orders/DEMO-KR-1001", TestContext.Current.CancellationToken);
        api.StatusCode.ShouldBe(HttpStatusCode.OK);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AWrongKeyIsRefusedOnTheSignInPage()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/console");
        await page.GetByLabel("API key").FillAsync("pak_not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("API key: not known");
        page.Url.ShouldContain("/console/sign-in");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAgentSeesTheLateOrdersAnOrdersNoticesAndReplyTheIncidentAndTheVoice()
    {
        var page = await SignedInAsync();

        // Now: the late orders of the demo (the Korean one was delivered by the demo, so is off the list).
        page.Url.ShouldEndWith("/console");
        var orders = page.Locator("#orders");
        (await orders.InnerTextAsync()).ShouldContain("DEMO-EN-2001");
        (await orders.InnerTextAsync()).ShouldContain("Royal Mail");
        (await orders.InnerTextAsync()).ShouldNotContain("DEMO-KR-1001"); // delivered by the demo
        (await page.Locator("#counts").InnerTextAsync()).ShouldMatch(@"\d+ late");
        await page.WaitForFunctionAsync("() => Chart.getChart(document.querySelector('canvas')) !== undefined");
        await page.ScreenshotAsync(new() { Path = DemoConsole.ScreenshotPath("now.png"), FullPage = true });

        // Filtering by carrier keeps only that carrier's orders.
        await page.GetByLabel("Carrier").SelectOptionAsync("Royal Mail");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        (await orders.Locator("tbody tr").AllInnerTextsAsync()).ShouldAllBe(row => row.Contains("Royal Mail"));

        // An order: its notices with why, and the customer's reply and survey score.
        await page.GotoAsync("/console");
        await page.GetByLabel("Order ID").FillAsync("DEMO-KR-1001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Order DEMO-KR-1001");
        var notices = page.Locator("#notices");
        (await notices.Locator("article").CountAsync()).ShouldBeGreaterThanOrEqualTo(2);
        (await notices.Locator(".why").First.InnerTextAsync()).ShouldNotBeNullOrWhiteSpace();
        (await notices.InnerTextAsync()).ShouldContain("배송이 늦어지고 있어요");
        (await notices.InnerTextAsync()).ShouldNotContain("minji@example.com");
        (await page.Locator("#replies blockquote").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("#survey .score").InnerTextAsync()).ShouldMatch(@"^[1-5] / 5$");
        await page.ScreenshotAsync(new() { Path = DemoConsole.ScreenshotPath("order.png"), FullPage = true });

        // The incident: Royal Mail's three orders at the flooded depot.
        await page.GetByRole(AriaRole.Link, new() { Name = "Incidents" }).ClickAsync();
        await page.Locator("#incidents tbody a").First.ClickAsync();
        (await page.Locator("h1").First.InnerTextAsync()).ShouldStartWith("Incident ");
        var affected = await page.Locator("#affected tbody").InnerTextAsync();
        affected.ShouldContain("DEMO-EN-2001");
        affected.ShouldContain("DEMO-EN-2002");
        await page.ScreenshotAsync(new() { Path = DemoConsole.ScreenshotPath("incident.png"), FullPage = true });

        // The voice: CSAT by cohort with the demo's answered survey, and its quote.
        await page.GetByRole(AriaRole.Link, new() { Name = "Customer voice" }).ClickAsync();
        var csat = await page.Locator("#csat").InnerTextAsync();
        csat.ShouldContain("told early");
        (await page.Locator("#quotes").InnerTextAsync()).ShouldContain("DEMO-KR-1001");
        var topicColumns = await page.Locator("#topics thead th").AllTextContentsAsync();
        topicColumns.ShouldContain("late"); // the demo's answer, one column per topic
        topicColumns.ShouldNotContain(c => c.Contains(' '));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('canvas').length === 2 && [...document.querySelectorAll('canvas')].every(c => Chart.getChart(c))");
        await page.ScreenshotAsync(new() { Path = DemoConsole.ScreenshotPath("voice.png"), FullPage = true });

        // Sign out: the pages are closed again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        page.Url.ShouldContain("/console/sign-in");
        await page.GotoAsync("/console");
        page.Url.ShouldContain("/console/sign-in");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAgentPicksTheDemosReplayReportSeesItsFiguresAndChartsAndAMalformedUploadIsRefused()
    {
        // The report the demo ships (a synthetic history run through the real replay command).
        var shipped = await File.ReadAllTextAsync(DemoConsole.ShippedReplayReport, TestContext.Current.CancellationToken);
        var orders = JsonDocument.Parse(shipped).RootElement.GetProperty("orders").GetInt32();
        var page = await SignedInAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Backtest" }).ClickAsync();
        await page.GetByLabel("Report", new() { Exact = true }).SelectOptionAsync(DemoConsole.ShippedReplayReportName);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        (await page.Locator("#shown").InnerTextAsync()).ShouldBe($"Report: {DemoConsole.ShippedReplayReportName}");
        (await page.Locator("#outcomes").InnerTextAsync()).ShouldContain($"Orders\t{orders}");
        (await page.Locator("#histogram tbody tr").CountAsync()).ShouldBeGreaterThan(1);
        (await page.Locator("#sweep tbody tr").CountAsync()).ShouldBeGreaterThan(1);

        // Every plot the replay writes is a chart here (lead-time histogram; the sweep with its median
        // lead on a right axis), beside the outcomes and reasons; each drawn by Chart.js.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('canvas')].every(c => Chart.getChart(c))");
        var charts = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('canvas')].map(c => c.getAttribute('aria-describedby'))");
        charts.ShouldBe(["outcomes", "histogram", "reasons", "sweep"], ignoreOrder: true);
        (await page.EvaluateAsync<string[]>("() => Chart.getChart(document.querySelector('canvas[aria-describedby=sweep]')).data.datasets.map(d => d.yAxisID)"))
            .ShouldBe(["y", "y", "right"]);

        // A table alternative for each chart: the canvas names it, it is shown, and it holds a row per bar or point.
        var missing = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('canvas')].flatMap(c => {
                const table = document.getElementById(c.getAttribute('aria-describedby') || '');
                if (!table || table.tagName !== 'TABLE' || table.offsetParent === null) { return [c.dataset.source + ': no table']; }
                const labels = Chart.getChart(c).data.labels.length;
                return table.tBodies[0].rows.length >= labels ? [] : [c.dataset.source + ': ' + table.tBodies[0].rows.length + ' rows for ' + labels + ' labels'];
            })
            """);
        missing.ShouldBeEmpty();
        await page.ScreenshotAsync(new() { Path = DemoConsole.ScreenshotPath("backtest.png"), FullPage = true });

        // A malformed upload (the same report without its "orders") is refused naming the field; nothing is shown.
        await page.GetByLabel("report.json file").SetInputFilesAsync(new FilePayload
        {
            Name = "report.json",
            MimeType = "application/json",
            Buffer = Encoding.UTF8.GetBytes(shipped.Replace($"\"orders\": {orders},", "", StringComparison.Ordinal)),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and show" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("missing required properties including: 'orders'");
        (await page.Locator("#shown").CountAsync()).ShouldBe(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheConsoleSpeaksKoreanToAKoreanBrowserAndSwitchesLanguage()
    {
        var page = await NewPageAsync("ko-KR");
        await page.GotoAsync("/console");
        await page.GetByLabel("API 키").FillAsync(demo.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "로그인" }).ClickAsync();

        (await page.Locator("h1").InnerTextAsync()).ShouldBe("지연 및 지연 위험 주문");
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("ko");
        await page.ScreenshotAsync(new() { Path = DemoConsole.ScreenshotPath("now-ko.png"), FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Late and at-risk orders");
        await page.GotoAsync("/console/voice");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Customer voice (last 14 days)");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheKeyboardReachesTheSkipLinkFirst()
    {
        var page = await SignedInAsync();
        await page.Keyboard.PressAsync("Tab");
        (await page.EvaluateAsync<string>("() => document.activeElement.textContent")).ShouldBe("Skip to content");
        await page.Keyboard.PressAsync("Enter");
        (await page.EvaluateAsync<string>("() => document.activeElement.id")).ShouldBe("main");

        // Every form control has a label.
        var unlabelled = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => e.labels.length === 0).length");
        unlabelled.ShouldBe(0);
        await page.Context.CloseAsync();
    }

    private Task<IPage> NewPageAsync(string locale = "en-US") => demo.NewPageAsync(locale);

    private async Task<IPage> SignedInAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/console");
        await page.GetByLabel("API key").FillAsync(demo.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/console$"));
        return page;
    }
}
