using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Proactive.Console.Tests;

/// <summary>
/// "Sign in with Test IdP" in Chromium, across sites: the console at 127.0.0.1, the issuer at
/// idp.test, where the user presses "Continue" (so the way back is initiated by another site, as
/// after a real login form). The correlation and nonce cookies (SameSite=Lax, response_mode=query)
/// must come back on the issuer's redirect, and the session cookie (Lax) on the last hop to
/// /console — with a Strict one Chromium lands on the sign-in page again (tried: this test fails).
/// Sign-out ends the issuer's session.
/// </summary>
public sealed class ConsoleOidcBrowserTests(OidcDemoConsole demo) : IClassFixture<OidcDemoConsole>
{
    [Fact]
    public async Task AnAgentSignsInAtTheIssuerSeesTheLateOrdersAndSignsOutThere()
    {
        var page = await demo.NewPageAsync();
        await page.GotoAsync("/console");
        page.Url.ShouldContain("/console/sign-in");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test IdP", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^http://idp\\.test:\\d+/authorize"));

        // The issuer's page: the way back to the console starts on another site, as after a real login form.
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue as Agent Seven" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/console$"));

        var authorize = demo.Issuer.Authorizations.ShouldHaveSingleItem();
        authorize["code_challenge_method"].ShouldBe("S256");
        demo.Issuer.RefusedRedemptions.ShouldBeEmpty();
        var body = await page.Locator("body").InnerTextAsync();
        body.ShouldContain("Signed in as Agent Seven");
        body.ShouldContain("Late and at-risk orders");
        (await page.Locator("#orders").InnerTextAsync()).ShouldContain("DEMO-EN-2002");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/console/sign-in$"));
        demo.Issuer.EndSessions.ShouldHaveSingleItem().ShouldContainKey("id_token_hint");
        await page.GotoAsync("/console");
        page.Url.ShouldContain("/console/sign-in");
        await page.Context.CloseAsync();
    }
}
