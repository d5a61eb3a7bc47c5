using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// When APP_API_TOKEN is set, calls to the AppCallback services must carry it as "dapr-api-token"
/// metadata (Unauthenticated otherwise) — as daprd sends it: on event delivery (OnTopicEvent,
/// OnBulkTopicEvent) only since Dapr 1.16.2, and never on ListTopicSubscriptions nor on the app
/// health probe (daprd's pkg/runtime/pubsub/subscriptions.go, pkg/channel/grpc/grpc_channel.go
/// HealthProbe). Those two are exempt: they expose nothing and change nothing.
/// </summary>
public sealed partial class DaprApiTokenInterceptor(IConfiguration configuration, ILogger<DaprApiTokenInterceptor> logger) : Interceptor
{
    private const string CallbackPrefix = "/dapr.proto.runtime.v1.";

    /// <summary>The calls daprd makes without the token.</summary>
    public static readonly IReadOnlySet<string> Exempt = new HashSet<string>(StringComparer.Ordinal)
    {
        "/dapr.proto.runtime.v1.AppCallback/ListTopicSubscriptions",
        "/dapr.proto.runtime.v1.AppCallbackHealthCheck/HealthCheck",
    };

    private int warned;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (configuration["APP_API_TOKEN"] is { Length: > 0 } expected && Guarded(context.Method))
        {
            var given = context.RequestHeaders.GetValue("dapr-api-token");
            if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                if (given is null && Interlocked.Exchange(ref warned, 1) == 0)
                {
                    LogMissing(logger, context.Method);
                }

                throw new RpcException(new Status(
                    StatusCode.Unauthenticated, "dapr-api-token missing or wrong (APP_API_TOKEN needs Dapr >= 1.16.2, whose daprd sends it on event delivery)"));
            }
        }

        return continuation(request, context);
    }

    /// <summary>Whether a call must carry the token (pure).</summary>
    public static bool Guarded(string method) => method.StartsWith(CallbackPrefix, StringComparison.Ordinal) && !Exempt.Contains(method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} came without dapr-api-token while APP_API_TOKEN is set: refused. daprd sends the token on event delivery only since Dapr 1.16.2; upgrade the sidecar (logged once)")]
    private static partial void LogMissing(ILogger logger, string method);
}
