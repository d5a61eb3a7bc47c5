using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Proactive.Tests.Shared;

/// <summary>How every in-memory host in the tests is set up: settings, the fake clock, quiet or captured logs.</summary>
public static class TestHosting
{
    public static WebApplicationFactory<TEntryPoint> Create<TEntryPoint>(
        IEnumerable<KeyValuePair<string, string?>> settings, TimeProvider time, ILoggerProvider? logs, Action<IServiceCollection>? services = null, StartValidation? validation = null)
        where TEntryPoint : class =>
        new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(web =>
        {
            // The tests' shop owns the host of ContractEvents' tracking links; a test may list others.
            web.UseSetting("Proactive:Notices:AllowedLinkHosts:0", "shop.example");

            // The tests call the APIs anonymously unless they set Proactive:Auth:Mode Required (tests in Auth/).
            web.UseSetting("Proactive:Auth:Mode", "None");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            web.ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Trace);
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            });
            web.ConfigureTestServices(s =>
            {
                s.AddSingleton(time);
                services?.Invoke(s);
                validation?.Watch(s);
            });
        });
}
