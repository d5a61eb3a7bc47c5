using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.ServiceDefaults.Queues;

/// <summary>A parked item as the API shows it: no payload, the error with contact details masked.</summary>
public sealed record ParkedItemView(
    long Id, string Queue, string OrderId, string ItemKey, string Error, int Attempts, DateTimeOffset FirstFailedAt, DateTimeOffset ParkedAt);

/// <summary>GET /v1/parked, POST /v1/parked/{id}:retry, POST /v1/parked:retry.</summary>
public static class ParkedEndpoints
{
    public static IEndpointRouteBuilder MapParkedEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/parked", async (ItemFailures failures, CancellationToken ct) =>
        {
            var parked = await failures.ParkedAsync(ct);
            return Results.Ok(new
            {
                parked = parked.Select(p => new ParkedItemView(
                    p.Id, p.Queue, p.OrderId, p.ItemKey, Redact.ContactDetails(p.Error), p.Attempts, p.FirstFailedAt, p.ParkedAt!.Value)),
            });
        }).RequireAuthorization(Scopes.QueuesManage);
        endpoints.MapPost("/v1/parked/{id:long}:retry", async (long id, ItemFailures failures, IEnumerable<WorkSignal> signals, CancellationToken ct) =>
        {
            if (await failures.RetryAsync(id, ct) == 0)
            {
                return Results.NotFound(new { error = $"no parked item {id}" });
            }

            Wake(signals);
            return Results.Ok(new { retried = 1 });
        }).RequireAuthorization(Scopes.QueuesManage);
        endpoints.MapPost("/v1/parked:retry", async (ItemFailures failures, IEnumerable<WorkSignal> signals, CancellationToken ct) =>
        {
            var retried = await failures.RetryAsync(null, ct);
            Wake(signals);
            return Results.Ok(new { retried });
        }).RequireAuthorization(Scopes.QueuesManage);
        return endpoints;
    }

    /// <summary>The queues' loops look again now rather than at their next poll.</summary>
    private static void Wake(IEnumerable<WorkSignal> signals)
    {
        foreach (var signal in signals)
        {
            signal.Notify();
        }
    }

    /// <summary>Registers a queue's wake-up signal so that a retry through the API wakes its loop.</summary>
    public static IServiceCollection AddQueueSignal<TSignal>(this IServiceCollection services)
        where TSignal : WorkSignal
    {
        services.AddSingleton<TSignal>();
        services.AddSingleton<WorkSignal>(sp => sp.GetRequiredService<TSignal>());
        return services;
    }
}
