using System.Diagnostics;

namespace Proactive.Standalone.Tests;

/// <summary>The real standalone process started with bad settings, as a user would: it must exit at start.</summary>
public static class StartRefusals
{
    /// <summary>Starts the host with <paramref name="settings"/>, waits for it to exit, and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(params (string Key, string Value)[] settings) => RunAsync(settings, []);

    /// <summary>As <see cref="RunAsync(ValueTuple{string, string}[])"/>, with settings given as environment variables ("Proactive__Notices__QuietHoursStart").</summary>
    public static Task<(int ExitCode, string Output)> RunWithEnvironmentAsync(params (string Name, string Value)[] environment) => RunAsync([], environment);

    /// <summary>The same, with settings on the command line and environment variables ("Proactive__Dispatch__PollInterval").</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync((string Key, string Value)[] settings, (string Name, string Value)[] environment)
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("proactive-refusal").FullName;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Proactive.Standalone.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add("--Proactive:Auth:Mode=None");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
            return (process.ExitCode, (await error) + (await output));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
