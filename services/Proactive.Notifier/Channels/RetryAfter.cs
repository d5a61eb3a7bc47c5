using System.Net.Http.Headers;

namespace Proactive.Notifier.Channels;

/// <summary>How long a provider asked us to wait: Retry-After (seconds or a date), or SendGrid's X-RateLimit-Reset.</summary>
public static class RetryAfter
{
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retryAfter = headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        var at = now;
        if (retryAfter?.Date is { } date)
        {
            return date > at ? date - at : TimeSpan.Zero;
        }

        if (headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), out var unix))
        {
            var reset = DateTimeOffset.FromUnixTimeSeconds(unix);
            return reset > at ? reset - at : TimeSpan.Zero;
        }

        return null;
    }
}
