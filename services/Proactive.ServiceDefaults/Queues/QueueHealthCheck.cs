using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Proactive.ServiceDefaults.Queues;

/// <summary>How long the oldest item of a queue has been due and not done (parked items aside).</summary>
public sealed record QueueAge(string Queue, TimeSpan? OldestDueAge);

/// <summary>A module's queues, looked at for the health check.</summary>
public interface IQueueProbe
{
    Task<IReadOnlyList<QueueAge>> OldestDueAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Degraded when an item is parked or a queue's oldest due item has waited longer than
/// <see cref="HealthOptions.MaxQueueAge"/>, naming the queues and how many; Healthy otherwise.
/// Unhealthy is left to the store check: a slow queue is no reason to take the process out of service.
/// </summary>
public sealed class QueueHealthCheck(
    ItemFailures failures, IEnumerable<IQueueProbe> probes, TimeProvider time, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var parked = await failures.RefreshAsync(cancellationToken);
        var ages = new List<QueueAge>();
        foreach (var probe in probes)
        {
            ages.AddRange(await probe.OldestDueAsync(now, cancellationToken));
        }

        return Assess(parked, ages, options.Value.MaxQueueAge);
    }

    /// <summary>The verdict on what was seen (pure).</summary>
    public static HealthCheckResult Assess(IReadOnlyDictionary<string, long> parked, IReadOnlyList<QueueAge> ages, TimeSpan maxAge)
    {
        var data = new Dictionary<string, object>();
        var problems = new List<string>();
        foreach (var (queue, count) in parked.Where(p => p.Value > 0).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data[$"{queue}.parked"] = count;
            problems.Add($"{queue}: {count} parked");
        }

        foreach (var age in ages.OrderBy(a => a.Queue, StringComparer.Ordinal))
        {
            var seconds = age.OldestDueAge is { } a && a > TimeSpan.Zero ? Math.Round(a.TotalSeconds) : 0;
            data[$"{age.Queue}.oldest_due_age_seconds"] = seconds;
            if (age.OldestDueAge > maxAge)
            {
                problems.Add($"{age.Queue}: oldest due item waiting {seconds:0} s (more than {maxAge.TotalSeconds:0} s)");
            }
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("no queue is behind and nothing is parked", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }
}
