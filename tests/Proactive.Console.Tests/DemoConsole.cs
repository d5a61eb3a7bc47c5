using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Proactive.Console.Tests;

/// <summary>
/// The README's demo (`Proactive.Standalone --demo`) as a child process in a fresh folder, its
/// printed console address and API key read from its output once the scenario has played, and a
/// headless Debian Chromium driven by Playwright. A missing Chromium fails the tests (test.sh installs it).
/// </summary>
public partial class DemoConsole : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string folder = Directory.CreateTempSubdirectory("proactive-console-").FullName;
    private Process? process;
    private IPlaywright? playwright;

    public Uri ConsoleAddress { get; private set; } = null!;

    public string ApiKey { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Where a browser finds the test issuer of <see cref="OidcDemoConsole"/>: another site than the console's 127.0.0.1, resolved to 127.0.0.1.</summary>
    public const string IssuerHost = "idp.test";

    /// <summary>More settings for the demo process (a subclass's).</summary>
    protected virtual Task ConfigureAsync(ProcessStartInfo start) => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        File.Exists(Chromium).ShouldBeTrue($"{Chromium} is missing: install Debian's chromium package (test.sh does)");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Proactive.Standalone.dll"));
        start.ArgumentList.Add("--demo");
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{FreePort()}");
        start.ArgumentList.Add($"--Proactive:GrpcUrl=http://127.0.0.1:{FreePort()}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        await ConfigureAsync(start);
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The demo exited:\n{Output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // The demo prints "Proactive keeps running" once its notices, receipt and survey answer are in.
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
        ConsoleAddress = new Uri(ConsoleLine().Match(Output).Groups[1].Value);
        ApiKey = KeyLine().Match(Output).Groups[1].Value;
        ApiKey.ShouldStartWith("pak_");

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", $"--host-resolver-rules=MAP {IssuerHost} 127.0.0.1"],
        });
    }

    /// <summary>A fresh browser context (no cookies) with a page in it.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            BaseURL = ConsoleAddress.GetLeftPart(UriPartial.Authority),
        });
        return await context.NewPageAsync();
    }

    /// <summary>The replay report the demo ships for its Backtest page, as listed there, and its file (copied with the host).</summary>
    public const string ShippedReplayReportName = "synthetic-3000";

    public static string ShippedReplayReport => Path.Combine(AppContext.BaseDirectory, "Demo", "replay-reports", ShippedReplayReportName, "report.json");

    /// <summary>Where screenshots go: the repository's docs/console (found from the test's folder).</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Proactive.sln")))
        {
            dir = dir.Parent;
        }

        var docs = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "docs", "console");
        Directory.CreateDirectory(docs);
        return Path.Combine(docs, name);
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (line.Contains("Proactive keeps running", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"CX console: (\S+)")]
    private static partial Regex ConsoleLine();

    [GeneratedRegex(@"sign in with the API key (pak_\S+)")]
    private static partial Regex KeyLine();
}
