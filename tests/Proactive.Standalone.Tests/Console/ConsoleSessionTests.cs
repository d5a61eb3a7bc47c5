using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Proactive.Contracts;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Storage;
using Proactive.Standalone.Demo;
using Proactive.Tests.Shared;

namespace Proactive.Standalone.Tests.Console;

/// <summary>
/// The CX console in process, with authentication required: a key's console scopes decide what a
/// session sees; a key without them, a wrong key or a form without its antiforgery token gets no
/// session; the session cookie opens no JSON API. The "Now" list filters the demo's orders by
/// carrier and reason on SQLite and PostgreSQL.
/// </summary>
public sealed partial class ConsoleSessionTests
{
    private static readonly string Everything = ApiKey.Mint();
    private static readonly string OrdersOnly = ApiKey.Mint();
    private static readonly string Ingest = ApiKey.Mint();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Keys() => new()
    {
        ["Proactive:Auth:Mode"] = "Required",
        ["Proactive:Auth:ApiKeys:cx:Hash"] = ApiKey.Hash(Everything),
        ["Proactive:Auth:ApiKeys:cx:Scopes"] = "orders:read notices:read voice:read",
        ["Proactive:Auth:ApiKeys:agent:Hash"] = ApiKey.Hash(OrdersOnly),
        ["Proactive:Auth:ApiKeys:agent:Scopes"] = "orders:read",
        ["Proactive:Auth:ApiKeys:shop:Hash"] = ApiKey.Hash(Ingest),
        ["Proactive:Auth:ApiKeys:shop:Scopes"] = "events:write",
    };

    /// <summary>A cookie-keeping client of <paramref name="host"/>; clients given one <paramref name="jar"/> share their cookies, as one browser across replicas.</summary>
    private static HttpClient Browser(StandaloneHost host, CookieContainer? jar = null) =>
        new(new CookieContainerHandler(jar ?? new CookieContainer()) { InnerHandler = host.Handler() }) { BaseAddress = new Uri("http://localhost") };

    /// <summary>Signs in through the form, fetched from <paramref name="browser"/> and posted to <paramref name="postTo"/> (the same by default).</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key, bool withToken = true, HttpClient? postTo = null)
    {
        var form = await browser.GetStringAsync("/console/sign-in", Ct);
        var fields = new Dictionary<string, string> { ["Key"] = key };
        if (withToken)
        {
            fields["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value;
        }

        return await (postTo ?? browser).PostAsync("/console/sign-in", new FormUrlEncodedContent(fields), Ct);
    }

    /// <summary>
    /// The keys of sessions and sign-in forms are kept in the database: a second Notifier on the same
    /// PostgreSQL database (another replica, or the same one restarted) takes the first one's session
    /// and its form, and a host with a database of its own takes neither.
    /// </summary>
    [Fact]
    public async Task ASessionAndAFormOfOneReplicaAreTakenByAnotherOnTheSameDatabaseOnly()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        Dictionary<string, string?> On(string connectionString) => new(Keys()) { ["Proactive:Store"] = "Postgres", ["ConnectionStrings:Proactive"] = connectionString };
        await using var first = await StandaloneHost.StartAsync(settings: On(database));
        await using var second = await StandaloneHost.StartAsync(settings: On(database));
        await using var elsewhere = await StandaloneHost.StartAsync(settings: On(await TestPostgres.CreateDatabaseAsync()));
        var jar = new CookieContainer();
        using var atFirst = Browser(first, jar);
        using var atSecond = Browser(second, jar);
        using var atElsewhere = Browser(elsewhere, jar);

        using var signIn = await SignInAsync(atFirst, Everything);
        using var onSecond = await atSecond.GetAsync("/console", Ct);
        using var onElsewhere = await atElsewhere.GetAsync("/console", Ct);

        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        onSecond.StatusCode.ShouldBe(HttpStatusCode.OK, "the other replica reads the session");
        (await onSecond.Content.ReadAsStringAsync(Ct)).ShouldContain("Late and at-risk orders");
        onElsewhere.StatusCode.ShouldBe(HttpStatusCode.Redirect, "a host with its own database has keys of its own");
        onElsewhere.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in");

        using var formOfSecond = await SignInAsync(atSecond, OrdersOnly, postTo: atFirst);
        formOfSecond.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the form's antiforgery token of one replica is taken by the other");
        formOfSecond.Headers.Location!.OriginalString.ShouldBe("/console");
        using var formOfElsewhere = await SignInAsync(atElsewhere, OrdersOnly, postTo: atFirst);
        formOfElsewhere.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// The standalone host restarted on its SQLite file keeps the sessions it issued (the key is in
    /// the file, not in the machine's home folder: a host on another file refuses the session).
    /// </summary>
    [Fact]
    public async Task ASessionOutlivesARestartOnTheSameSqliteFile()
    {
        var folder = Directory.CreateTempSubdirectory("proactive-console-restart-");
        try
        {
            var settings = new Dictionary<string, string?>(Keys()) { ["ConnectionStrings:Proactive"] = $"Data Source={Path.Combine(folder.FullName, "proactive.db")}" };
            var jar = new CookieContainer();

            await using (var before = await StandaloneHost.StartAsync(settings: settings))
            {
                using var browser = Browser(before, jar);
                using var signIn = await SignInAsync(browser, Everything);
                signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            }

            await using var after = await StandaloneHost.StartAsync(settings: settings);
            using var again = Browser(after, jar);
            using var page = await again.GetAsync("/console", Ct);

            await using var elsewhere = await StandaloneHost.StartAsync(settings: Keys());
            using var atElsewhere = Browser(elsewhere, jar);
            using var refused = await atElsewhere.GetAsync("/console", Ct);

            page.StatusCode.ShouldBe(HttpStatusCode.OK, "the restarted host reads the key its session was sealed with");
            (await page.Content.ReadAsStringAsync(Ct)).ShouldContain("Late and at-risk orders");
            refused.StatusCode.ShouldBe(HttpStatusCode.Redirect, "a host on another file has keys of its own");
            refused.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AKeyWithOrdersReadSeesTheOrdersButNotTheVoice()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());
        using var browser = Browser(host);

        using var signIn = await SignInAsync(browser, OrdersOnly);
        var now = await browser.GetAsync("/console", Ct);
        var voice = await browser.GetAsync("/console/voice", Ct);

        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signIn.Headers.Location!.OriginalString.ShouldBe("/console");
        now.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await now.Content.ReadAsStringAsync(Ct);
        page.ShouldContain("Late and at-risk orders");
        page.ShouldNotContain("href=\"/console/voice\"");
        voice.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await voice.Content.ReadAsStringAsync(Ct)).ShouldContain("Your sign-in lacks the scope voice:read.");
    }

    [Fact]
    public async Task AKeyWithoutConsoleScopesAWrongKeyOrAFormWithoutItsTokenGetsNoSession()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());
        using var browser = Browser(host);

        using var shop = await SignInAsync(browser, Ingest);
        using var wrong = await SignInAsync(browser, ApiKey.Mint());
        using var forged = await SignInAsync(browser, Everything, withToken: false);
        using var after = await browser.GetAsync("/console", Ct);

        shop.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await shop.Content.ReadAsStringAsync(Ct)).ShouldContain("API key: not known, or it holds none of orders:read, notices:read, voice:read.");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.AbsolutePath.ShouldBe("/console/sign-in");
    }

    [Fact]
    public async Task TheSessionCookieIsHttpOnlyStrictAndOpensNoJsonApi()
    {
        await using var host = await StandaloneHost.StartAsync(settings: Keys());
        var cookies = new CookieContainerHandler { InnerHandler = host.Handler() };
        using var browser = new HttpClient(cookies) { BaseAddress = new Uri("http://localhost") };

        using var signIn = await SignInAsync(browser, Everything);
        using var api = await browser.GetAsync("/v1/voice/summary", Ct);

        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("proactive-console=", StringComparison.Ordinal));
        session.ShouldContain("httponly", Case.Insensitive);
        session.ShouldContain("samesite=strict", Case.Insensitive);
        session.ShouldContain("path=/console", Case.Insensitive);
        session.ShouldNotContain(Everything);
        api.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    /// <summary>The APIs open (Mode None, as in the demo): the console still needs a session.</summary>
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task NowListsTheLateOrdersFilteredByCarrierAndReason(StoreKind store)
    {
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>(Keys()) { ["Proactive:Auth:Mode"] = "None" }, store: store);
        using (var anonymous = Browser(host))
        {
            using var closed = await anonymous.GetAsync("/console", Ct);
            closed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }

        await host.AcceptAsync([.. DemoScenario.Events(StandaloneHost.Start).Concat(DemoScenario.IncidentEvents(StandaloneHost.Start)).Select(e => e.Event)]);
        await host.DrainAsync();
        using var browser = Browser(host);
        using var signIn = await SignInAsync(browser, Everything);

        var all = await browser.GetStringAsync("/console", Ct);
        var royalMail = await browser.GetStringAsync("/console?Carrier=Royal+Mail", Ct);
        var etaSlip = await browser.GetStringAsync("/console?Reason=ETA_SLIP", Ct);
        var badReason = await browser.GetStringAsync("/console?Reason=NOPE", Ct);

        Orders(all).ShouldBe([DemoScenario.KoreanOrder, DemoScenario.EnglishOrder, "DEMO-EN-2002", "DEMO-EN-2003"], ignoreOrder: true);
        WebUtility.HtmlDecode(all).ShouldContain("4 late · 0 at risk");
        Orders(royalMail).ShouldBe([DemoScenario.EnglishOrder, "DEMO-EN-2002", "DEMO-EN-2003"], ignoreOrder: true);
        Orders(etaSlip).ShouldBe([DemoScenario.KoreanOrder]);
        WebUtility.HtmlDecode(badReason).ShouldContain("reason: 'NOPE' is not one of");

        // Delivered, the Korean order leaves the list in the transaction that records it.
        await host.AcceptAsync(new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "delivered-1",
            ["source"] = "demo-shop",
            ["type"] = CloudEventTypes.ShipmentTracking,
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject
            {
                ["shipmentId"] = "S-9001",
                ["orderId"] = DemoScenario.KoreanOrder,
                ["occurredAt"] = host.Time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
                ["status"] = "DELIVERED",
                ["location"] = "Seoul",
            },
        });
        await host.DrainAsync();
        Orders(await browser.GetStringAsync("/console", Ct)).ShouldBe([DemoScenario.EnglishOrder, "DEMO-EN-2002", "DEMO-EN-2003"], ignoreOrder: true);
    }

    private static List<string> Orders(string page) => [.. OrderLink().Matches(page).Select(m => Uri.UnescapeDataString(m.Groups[1].Value))];

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<th scope=\"row\"><a href=\"/console/order\\?id=([^\"]+)\"")]
    private static partial Regex OrderLink();
}
