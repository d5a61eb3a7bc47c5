using System.Diagnostics;
using Proactive.Tests.Shared;

namespace Proactive.Console.Tests;

/// <summary>
/// The demo with the console's OpenID Connect client at the loopback test issuer. Chromium reaches
/// the issuer's pages as http://idp.test:{port} (mapped to 127.0.0.1), another site than the
/// console's http://127.0.0.1:{port}, so the redirects back are cross-site as at a real provider.
/// </summary>
public sealed class OidcDemoConsole : DemoConsole
{
    public TestIssuer Issuer { get; private set; } = null!;

    protected override async Task ConfigureAsync(ProcessStartInfo start)
    {
        Issuer = await TestIssuer.StartAsync(browserHost: IssuerHost);
        Issuer.User = Issuer.User with { Name = "Agent Seven" };
        foreach (var (key, value) in Issuer.ConsoleSettings())
        {
            // The secret as production passes it: from the environment, not the command line.
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Issuer is not null)
        {
            await Issuer.DisposeAsync();
        }
    }
}
