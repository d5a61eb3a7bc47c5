using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// Proactive:Auth:IngestRateLimit: each client (API key, or token's client) gets PermitLimit
/// requests per Window; beyond, 429 as problem details with Retry-After. One client's flood does
/// not slow the others.
/// </summary>
public static class ClientRateLimit
{
    public static RateLimitPartition<string> Partition(HttpContext http)
    {
        var auth = http.RequestServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value;
        var limit = auth.IngestRateLimit;
        if (limit.PermitLimit == 0 || auth.Anonymous)
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        return RateLimitPartition.GetFixedWindowLimiter(ApiAuth.ClientOf(http), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
        });
    }

    public static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var limit = http.RequestServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value.IngestRateLimit;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests from this client",
            detail: $"At most {limit.PermitLimit} requests per {limit.Window} per client (Proactive:Auth:IngestRateLimit); retry after {seconds} s.")
            .ExecuteAsync(http);
    }
}
