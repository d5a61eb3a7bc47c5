using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Proactive.Standalone.Tests;

/// <summary>
/// The real standalone host as a child process (`dotnet Proactive.Standalone.dll`), so a test can
/// SIGKILL it and start it again on the same store and ports.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    private readonly IReadOnlyList<string> arguments;
    private readonly string workingDirectory;
    private Process? process;

    public ChildHost(string workingDirectory, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        this.workingDirectory = workingDirectory;
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        var all = new Dictionary<string, string?>
        {
            ["urls"] = BaseAddress.ToString().TrimEnd('/'),
            ["Proactive:GrpcUrl"] = $"http://127.0.0.1:{FreePort()}",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Proactive:Auth:Mode"] = "None",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        arguments = all.Select(kv => $"--{kv.Key}={kv.Value}").ToList();
    }

    public Uri BaseAddress { get; }

    public int Starts { get; private set; }

    public async Task StartAsync(HttpClient http)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Proactive.Standalone.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        // The last lines the host wrote, for the failure message when it does not come up.
        var lastLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(string? line)
        {
            if (line is not null)
            {
                lastLines.Enqueue(line);
                while (lastLines.Count > 20 && lastLines.TryDequeue(out _))
                {
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Starts++;

        // Generous: two hosts migrating one PostgreSQL database on a loaded 2-core machine took over a minute.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet; the checks below decide whether to wait on.
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"The host did not start (exit code {(process.HasExited ? process.ExitCode : -1)}); its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, lastLines)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, whatever was in flight is cut off.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
    }
}
