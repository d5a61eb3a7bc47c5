using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Proactive.Standalone.Tests;

/// <summary>
/// A second `--demo` (or a second instance on the same SQLite store) beside a running one: it
/// refuses to start with one clear sentence, and the running instance keeps its data.
/// </summary>
public sealed class SecondInstanceTests : IAsyncDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("proactive-second").FullName;
    private readonly List<Process> processes = [];

    [Fact]
    public async Task ASecondDemoBesideARunningOneIsRefusedAndDeletesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = Start("--demo", $"--urls=http://127.0.0.1:{FreePort()}", $"--Proactive:GrpcUrl=http://127.0.0.1:{FreePort()}");
        using var http = new HttpClient();
        await WaitForNoticesAsync(http, first.Url, ct);
        var database = Path.Combine(directory, "data", "demo.db");
        var walBefore = new FileInfo(database + "-wal").Length;

        var second = Start("--demo", $"--urls=http://127.0.0.1:{FreePort()}", $"--Proactive:GrpcUrl=http://127.0.0.1:{FreePort()}");
        await second.Process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);

        second.Process.ExitCode.ShouldBe(1);
        var error = await second.Process.StandardError.ReadToEndAsync(ct);
        error.ShouldContain("Another Proactive instance is using the store data/demo.db");
        error.ShouldNotContain("   at ");
        File.Exists(database).ShouldBeTrue();
        new FileInfo(database + "-wal").Length.ShouldBeGreaterThanOrEqualTo(walBefore);
        var notices = await http.GetFromJsonAsync<JsonElement>(new Uri(first.Url, "/v1/orders/DEMO-KR-1001/notices"), ct);
        // The delay notices (SMS and email) and the survey the demo asks after delivering the order.
        notices.GetProperty("notices").EnumerateArray().Count(n => n.GetProperty("kind").GetString() != "SURVEY").ShouldBe(2);
    }

    [Fact]
    public async Task ASecondInstanceOnTheSameStoreIsRefusedButOneOnItsOwnStoreStarts()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = $"--ConnectionStrings:Proactive=Data Source={Path.Combine(directory, "shop.db")}";
        var first = Start(store, $"--urls=http://127.0.0.1:{FreePort()}", $"--Proactive:GrpcUrl=http://127.0.0.1:{FreePort()}");
        using var http = new HttpClient();
        await WaitForHealthAsync(http, first.Url, ct);

        var second = Start(store, $"--urls=http://127.0.0.1:{FreePort()}", $"--Proactive:GrpcUrl=http://127.0.0.1:{FreePort()}");
        await second.Process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        second.Process.ExitCode.ShouldBe(1);
        (await second.Process.StandardError.ReadToEndAsync(ct)).ShouldContain("is using the store");

        var own = Start(
            $"--ConnectionStrings:Proactive=Data Source={Path.Combine(directory, "other.db")}",
            $"--urls=http://127.0.0.1:{FreePort()}",
            $"--Proactive:GrpcUrl=http://127.0.0.1:{FreePort()}");
        await WaitForHealthAsync(http, own.Url, ct);
    }

    private (Process Process, Uri Url) Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Proactive.Standalone.dll"));
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        start.ArgumentList.Add("--Proactive:Auth:Mode=None");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        processes.Add(process);
        var url = arguments.Single(a => a.StartsWith("--urls=", StringComparison.Ordinal))["--urls=".Length..];
        return (process, new Uri(url));
    }

    private static async Task WaitForHealthAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        for (var tries = 0; ; tries++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(url, "/healthz"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (tries < 600)
            {
            }

            await Task.Delay(100, ct);
        }
    }

    private static async Task WaitForNoticesAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        await WaitForHealthAsync(http, url, ct);
        for (var tries = 0; tries < 600; tries++)
        {
            var notices = await http.GetFromJsonAsync<JsonElement>(new Uri(url, "/v1/orders/DEMO-KR-1001/notices"), ct);
            if (notices.GetProperty("notices").EnumerateArray().Count(n => n.GetProperty("status").GetString() == "sent") == 2)
            {
                return;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("The demo did not send its notices");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
