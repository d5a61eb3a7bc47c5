using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Proactive.CxConsole;
using Proactive.Notifier.Incidents;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.Standalone.Tests.Console;

/// <summary>
/// An incident's affected orders on the console a page at a time (an incident can affect tens of
/// thousands of orders): the first page, then each next one by its link, in the order seen, until
/// none follows; a malformed cursor shows the first page.
/// </summary>
public sealed partial class IncidentPagesTests
{
    private static readonly string Agent = ApiKey.Mint();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnIncidentsAffectedOrdersArePagedInTheOrderSeen()
    {
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Proactive:Auth:Mode"] = "Required",
            ["Proactive:Auth:ApiKeys:agent:Hash"] = ApiKey.Hash(Agent),
            ["Proactive:Auth:ApiKeys:agent:Scopes"] = "orders:read",
        });
        var store = host.Services.GetRequiredService<NoticeStore>();
        var start = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        const int Orders = (ConsoleData.PageSize * 2) + 7;
        await store.InTransactionAsync(
            async s =>
            {
                for (var i = 0; i < Orders; i++)
                {
                    // Two orders seen at each instant: the episode id breaks the tie.
                    await s.Incidents.AddSignalAsync(new IncidentSignal(
                        $"P-{i:000}/delay-1", $"P-{i:000}", "[\"carrier\",\"Evri\"]", "Evri", null, null, "CARRIER_EXCEPTION", "CARRIER_EXCEPTION", "DEPOT_FLOOD", start.AddMinutes(i / 2)));
                }

                await s.Incidents.OpenAsync("inc-paged", "[\"carrier\",\"Evri\"]", start);
                await s.Incidents.AttachAsync("inc-paged", "[\"carrier\",\"Evri\"]", start.AddHours(-1));
                return 0;
            },
            Ct);
        using var browser = new HttpClient(new CookieContainerHandler { InnerHandler = host.Handler() }) { BaseAddress = new Uri("http://localhost") };
        var form = await browser.GetStringAsync("/console/sign-in", Ct);
        using var signedIn = await browser.PostAsync(
            "/console/sign-in",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Key"] = Agent, ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value }),
            Ct);

        var seen = new List<string>();
        var pages = 0;
        string? next = "/console/incidents?id=inc-paged";
        while (next is not null)
        {
            var page = await browser.GetStringAsync(next, Ct);
            var rows = AffectedRow().Matches(page).Select(m => m.Groups[1].Value).ToList();
            rows.Count.ShouldBe(pages < 2 ? ConsoleData.PageSize : 7);
            page.ShouldContain($"<dd>{Orders}</dd>"); // the count is the incident's, not the page's
            seen.AddRange(rows);
            next = NextLink().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;
            pages++;
        }

        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Range(0, Orders).Select(i => $"P-{i:000}"));
        var malformed = await browser.GetStringAsync("/console/incidents?id=inc-paged&after=not-a-cursor", Ct);
        AffectedRow().Matches(malformed).First().Groups[1].Value.ShouldBe("P-000");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<th scope=\"row\"><a href=\"/console/order\\?id=[^\"]+\">([^<]+)</a></th>")]
    private static partial Regex AffectedRow();

    [GeneratedRegex("<a href=\"([^\"]+)\" id=\"next-orders\">")]
    private static partial Regex NextLink();
}
