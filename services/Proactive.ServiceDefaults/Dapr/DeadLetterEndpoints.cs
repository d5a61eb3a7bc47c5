using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>A kept dead letter as the API shows it: no payload, the reason with contact details masked.</summary>
public sealed record DeadLetterView(
    long Id, string Topic, string OrderId, string EventKey, string Reason, int Attempts, DateTimeOffset ReceivedAt, bool Parked);

/// <summary>
/// GET /v1/dead-letters: what daprd put on this service's dead-letter topics and came back to it;
/// POST /v1/dead-letters/{id}/replay: handles one again now, as a delivery of its topic.
/// </summary>
public static class DeadLetterEndpoints
{
    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/dead-letters", async (DaprAppCallback callback, ItemFailures failures, CancellationToken ct) =>
        {
            var kept = await failures.OfQueuesAsync(callback.DeadLetterQueues, ct);
            return Results.Ok(new { deadLetters = kept.Select(View) });
        }).RequireAuthorization(Scopes.QueuesManage);
        endpoints.MapPost("/v1/dead-letters/{id:long}/replay", async (long id, DaprAppCallback callback, ItemFailures failures, CancellationToken ct) =>
        {
            if (await failures.FindAsync(id, ct) is not { } kept || !callback.DeadLetterQueues.Contains(kept.Queue))
            {
                return Results.NotFound(new { error = $"no dead letter {id}" });
            }

            TopicOutcome outcome;
            try
            {
                outcome = await callback.RetryHeldAsync(kept, ct);
            }
            catch (Exception e) when (!ItemFailures.IsItemFailure(e, ct))
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The store is unavailable: nothing was replayed; try again.");
            }

            return Results.Ok(new
            {
                id,
                outcome = outcome.Status switch
                {
                    TopicStatus.Success => "handled",
                    TopicStatus.Drop => "refused",
                    _ => "retrying",
                },
                reason = outcome.Reason is { } reason ? Redact.ContactDetails(reason) : null,
            });
        }).RequireAuthorization(Scopes.QueuesManage);
        return endpoints;
    }

    private static DeadLetterView View(ItemFailure kept) => new(
        kept.Id,
        kept.Queue[DaprAppCallback.DeadLetterPrefix.Length..],
        kept.OrderId,
        kept.ItemKey,
        Redact.ContactDetails(kept.Error),
        kept.Attempts,
        kept.FirstFailedAt,
        kept.IsParked);
}
