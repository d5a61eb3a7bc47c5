using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Proactive.Tracker.Events;

namespace Proactive.Standalone.Ingest;

/// <summary>
/// A token bucket per CloudEvent <c>source</c> on the HTTP ingest
/// (<c>Proactive:Ingest:EventsPerSecondPerSource</c>, <c>BurstPerSource</c>; rate 0 turns it off),
/// so one upstream system cannot crowd out the others. Partitioned by the framework's
/// <see cref="PartitionedRateLimiter"/>; the bucket reads TimeProvider, as all time here does.
/// </summary>
public sealed class SourceRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? limiter;

    public SourceRateLimits(TimeProvider time, IOptions<IngestOptions> options)
    {
        var (rate, burst) = (options.Value.EventsPerSecondPerSource, options.Value.BurstPerSource);
        if (rate > 0)
        {
            limiter = PartitionedRateLimiter.Create<string, string>(source =>
                RateLimitPartition.Get(source, _ => new TokenBucket(time, rate, burst)));
        }
    }

    /// <summary>Null when the event may go in; otherwise how long until this source has a token again.</summary>
    public TimeSpan? TryAdmit(string source)
    {
        if (limiter is null)
        {
            return null;
        }

        using var lease = limiter.AttemptAcquire(source);
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter
            : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => limiter?.Dispose();

    /// <summary>
    /// A token bucket on TimeProvider: <paramref name="perSecond"/> tokens a second, at most
    /// <paramref name="burst"/> held. (The framework's own bucket reads the machine clock.)
    /// </summary>
    internal sealed class TokenBucket(TimeProvider time, double perSecond, int burst) : RateLimiter
    {
        private readonly Lock gate = new();
        private double tokens = burst;
        private long updated = time.GetTimestamp();
        private long used = time.GetTimestamp();

        public override TimeSpan? IdleDuration
        {
            get
            {
                lock (gate)
                {
                    Refill();
                    return tokens >= burst ? time.GetElapsedTime(used) : null;
                }
            }
        }

        public override RateLimiterStatistics? GetStatistics()
        {
            lock (gate)
            {
                Refill();
                return new RateLimiterStatistics { CurrentAvailablePermits = (long)tokens };
            }
        }

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            lock (gate)
            {
                Refill();
                used = time.GetTimestamp();
                if (tokens >= permitCount)
                {
                    tokens -= permitCount;
                    return Lease.Granted;
                }

                return new Lease(false, TimeSpan.FromSeconds(Math.Max(permitCount - tokens, 0) / perSecond));
            }
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AttemptAcquireCore(permitCount));

        private void Refill()
        {
            var now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(updated, now);
            if (elapsed > TimeSpan.Zero)
            {
                tokens = Math.Min(burst, tokens + (elapsed.TotalSeconds * perSecond));
                updated = now;
            }
        }

        private sealed class Lease(bool acquired, TimeSpan? retryAfter = null) : RateLimitLease
        {
            public static readonly Lease Granted = new(true);

            public override bool IsAcquired => acquired;

            public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = retryAfter;
                return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
            }
        }
    }
}
