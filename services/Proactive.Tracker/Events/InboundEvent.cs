using Google.Protobuf;

namespace Proactive.Tracker.Events;

/// <summary>A contract event that passed validation: its envelope and its typed data.</summary>
public sealed record InboundEvent(
    string Source,
    string Id,
    string Type,
    string OrderId,
    DateTimeOffset OccurredAt,
    IMessage Data,
    string? TraceParent = null,
    string? TraceState = null);

/// <summary>
/// Why an event was refused: each entry names the field (e.g. "data.customer.phone"). Type is the
/// CloudEvent type when it is one of the contract's (for metrics), else null.
/// </summary>
public sealed record EventRejection(string? Source, string? Id, IReadOnlyDictionary<string, string[]> Errors, string? Type = null)
{
    public static EventRejection Of(string? source, string? id, string field, string message) =>
        new(source, id, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>One line for logs and problem details; it never carries field values.</summary>
    public string Summary => string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
}
