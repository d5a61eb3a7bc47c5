using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Proactive.Tests.Shared;

namespace Proactive.Dapr.Tests;

/// <summary>
/// One Proactive service run from its own Program, on real Kestrel sockets on loopback: gRPC
/// (h2c) on APP_PORT for the stand-in daprd, HTTP on Proactive:HttpUrl, publishing to a fake
/// sidecar on DAPR_GRPC_ENDPOINT. Background loops are off; tests drive them.
/// </summary>
public sealed class DaprServiceHost<TEntryPoint> : IAsyncDisposable
    where TEntryPoint : class
{
    private readonly WebApplicationFactory<TEntryPoint> factory;
    private readonly string directory;

    private DaprServiceHost(WebApplicationFactory<TEntryPoint> factory, string directory, int appPort, int httpPort)
    {
        this.factory = factory;
        this.directory = directory;
        AppAddress = $"http://127.0.0.1:{appPort}";
        HttpAddress = $"http://127.0.0.1:{httpPort}";
    }

    public string AppAddress { get; }

    public string HttpAddress { get; }

    public IServiceProvider Services => factory.Services;

    public string DatabasePath => Path.Combine(directory, "service.db");

    public static DaprServiceHost<TEntryPoint> Start(
        FakeSidecar sidecar, FakeTimeProvider time, IDictionary<string, string?>? settings = null, FakeTwilio? twilio = null, FakeSendGrid? sendGrid = null, ILoggerProvider? logs = null, int databaseTimeoutSeconds = 30, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        // A free port can be taken by another test's connection before Kestrel binds it: try others.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return StartOnFreePorts(sidecar, time, settings, twilio, sendGrid, logs, databaseTimeoutSeconds, services);
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    private static DaprServiceHost<TEntryPoint> StartOnFreePorts(
        FakeSidecar sidecar, FakeTimeProvider time, IDictionary<string, string?>? settings, FakeTwilio? twilio, FakeSendGrid? sendGrid, ILoggerProvider? logs, int databaseTimeoutSeconds, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services)
    {
        var directory = Path.Combine(Path.GetTempPath(), "proactive-dapr-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var appPort = FreePort();
        var httpPort = FreePort();
        var config = new Dictionary<string, string?>
        {
            ["APP_PORT"] = appPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Proactive:HttpUrl"] = $"http://127.0.0.1:{httpPort}",
            ["DAPR_GRPC_ENDPOINT"] = sidecar.Endpoint,
            ["ConnectionStrings:Proactive"] = $"Data Source={Path.Combine(directory, "service.db")};Default Timeout={databaseTimeoutSeconds}",
            ["Proactive:Tracker:RunBackgroundWork"] = "false",
            ["Proactive:Dispatch:RunBackgroundWork"] = "false",
            ["Proactive:Incidents:RunBackgroundWork"] = "false",
            ["Proactive:Queues:RunBackgroundWork"] = "false",
            ["Proactive:Dispatch:OutboxPath"] = Path.Combine(directory, "outbox.jsonl"),
        };
        var providers = (twilio?.Settings() ?? []).Concat(sendGrid?.Settings() ?? []);
        foreach (var (key, value) in providers.Concat(settings ?? new Dictionary<string, string?>()))
        {
            config[key] = value;
        }

        var validation = new StartValidation();
        var factory = TestHosting.Create<TEntryPoint>(config, time, logs, services, validation);
        factory.UseKestrel();
        try
        {
            validation.Start(factory.StartServer);
        }
        catch
        {
            StartValidation.DisposeRefused(factory);
            throw;
        }

        return new DaprServiceHost<TEntryPoint>(factory, directory, appPort, httpPort);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
