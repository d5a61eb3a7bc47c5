using System.Net;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Configuration;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.ServiceDefaults.Dapr;

public static class DaprHostingExtensions
{
    /// <summary>
    /// A service behind a Dapr sidecar (--app-protocol grpc): gRPC over h2c on APP_PORT on loopback
    /// (where daprd calls the AppCallback service), and the HTTP/JSON API on Proactive:HttpUrl.
    /// The sidecar is found by DaprClient's standard settings, DAPR_GRPC_ENDPOINT or DAPR_GRPC_PORT.
    /// </summary>
    public static WebApplicationBuilder AddDaprHosting(this WebApplicationBuilder builder, int defaultAppPort, string defaultHttpUrl)
    {
        var configuration = builder.Configuration;
        var appPort = configuration.GetValue("APP_PORT", defaultAppPort);
        var httpUrl = new Uri(configuration["Proactive:HttpUrl"] is { Length: > 0 } url ? url : defaultHttpUrl);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, appPort, listen => listen.Protocols = HttpProtocols.Http2);
            var address = httpUrl.Host switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" or "0.0.0.0" => IPAddress.Any,
                var host => IPAddress.Parse(host),
            };
            kestrel.Listen(address, httpUrl.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });

        if (configuration["Proactive:Dapr:SecretStore"] is { Length: > 0 } store)
        {
            var wait = configuration.GetValue("Proactive:Dapr:SecretStoreWait", TimeSpan.FromSeconds(30));
            ((IConfigurationBuilder)configuration).Add(new DaprSecretsConfigurationSource(store, configuration["Proactive:Dapr:SecretName"], () => ConfigureClient(new DaprClientBuilder(), configuration).Build(), wait));
        }

        builder.Services.AddCheckedOptions<DaprHostingOptions>(configuration.GetSection(DaprHostingOptions.Section));
        builder.Services.AddSingleton<DaprApiTokenInterceptor>();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<DaprApiTokenInterceptor>()).AddJsonTranscoding();
        // Answer grpc.health.v1 from the health checks as they are now, not from a cache filled later.
        builder.Services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = false);
        builder.Services.AddSingleton<DaprAppCallback>();
        builder.Services.AddQueueSignal<HeldEventSignal>();
        builder.Services.AddSingleton<HeldEventRetry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeldEventRetry>());
        builder.Services.AddDaprClient((sp, dapr) => ConfigureClient(dapr, sp.GetRequiredService<IConfiguration>()));
        return builder;
    }

    /// <summary>DaprClient's standard settings, read from configuration (environment variables included).</summary>
    private static DaprClientBuilder ConfigureClient(DaprClientBuilder dapr, IConfiguration config)
    {
        if (config["DAPR_GRPC_ENDPOINT"] is { Length: > 0 } endpoint)
        {
            dapr.UseGrpcEndpoint(endpoint);
        }
        else if (config["DAPR_GRPC_PORT"] is { Length: > 0 } port)
        {
            dapr.UseGrpcEndpoint($"http://127.0.0.1:{port}");
        }

        if (config["DAPR_API_TOKEN"] is { Length: > 0 } token)
        {
            dapr.UseDaprApiToken(token);
        }

        return dapr;
    }

    public static WebApplication MapDaprHosting(this WebApplication app)
    {
        // daprd's calls: guarded by the Dapr app token, not by the API's authentication.
        app.MapGrpcService<DaprAppCallback>().AllowAnonymous();
        app.MapGrpcService<DaprAppCallbackAlpha>().AllowAnonymous();
        app.MapGrpcService<DaprAppHealth>().AllowAnonymous();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapDeadLetterEndpoints();
        return app;
    }
}
