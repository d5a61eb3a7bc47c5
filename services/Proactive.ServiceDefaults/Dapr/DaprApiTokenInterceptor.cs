using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Configuration;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// When APP_API_TOKEN is set, daprd sends it as "dapr-api-token" metadata on every call to the
/// app; calls to the AppCallback services without it are refused (Unauthenticated).
/// </summary>
public sealed class DaprApiTokenInterceptor(IConfiguration configuration) : Interceptor
{
    private const string CallbackPrefix = "/dapr.proto.runtime.v1.";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var expected = configuration["APP_API_TOKEN"];
        if (!string.IsNullOrEmpty(expected) && context.Method.StartsWith(CallbackPrefix, StringComparison.Ordinal))
        {
            var given = context.RequestHeaders.GetValue("dapr-api-token") ?? "";
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "dapr-api-token missing or wrong"));
            }
        }

        return continuation(request, context);
    }
}
