using System.Text.Json;
using Proactive.Contracts;
using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier.Incidents;

/// <summary>One delay episode's cause, as the incident sweep counts it.</summary>
public sealed record IncidentSignal(
    string EpisodeId,
    string OrderId,
    string GroupKey,
    string? Carrier,
    string? Destination,
    string? Lane,
    string Cause,
    string Reason,
    string? ExceptionCode,
    DateTimeOffset SeenAt);

/// <summary>What the sweep does with one group this round.</summary>
public enum IncidentStep
{
    Nothing,
    Open,
    Extend,
    Resolve,
}

/// <summary>The pure part of incidents: which news counts, its group key, and the open/resolve thresholds.</summary>
public static class IncidentRule
{
    /// <summary>Forecasts, not delays: counted only once a later news of the episode confirms it with another reason.</summary>
    public static bool IsForecast(DelayReason reason) => reason is DelayReason.PredictedLate or DelayReason.PromiseAtRisk;

    /// <summary>
    /// The signal the news gives, or why it gives none: a resolution or delivery is not a delay, a
    /// forecast or record-only news is not confirmed, and a group-key dimension the news lacks
    /// (no carrier before shipping, no ship-to address) cannot be grouped.
    /// </summary>
    public static (IncidentSignal? Signal, string? Skipped) SignalOf(EpisodeNews news, IReadOnlyList<string> groupBy, DateTimeOffset now)
    {
        if (news.Kind is EpisodeNewsKind.Resolved or EpisodeNewsKind.Delivered || news.EpisodeId.Length == 0)
        {
            return (null, "not a delay");
        }

        if (news.RecordOnly || IsForecast(news.Reason))
        {
            return (null, "a forecast, not a confirmed delay");
        }

        var reason = WireName.Of(news.Reason);
        var carrier = Clean(news.Carrier);
        var destination = Clean(news.ShipTo?.Name);
        var lane = news.ShipFrom is { } from && news.ShipTo is { } to ? $"{Clean(from.Name)}>{Clean(to.Name)}" : null;
        var cause = Clean(news.ExceptionCode) ?? reason;
        var values = new List<string>();
        foreach (var dimension in groupBy)
        {
            var value = Value(dimension, carrier, destination, lane, cause);
            if (value is null)
            {
                return (null, $"no {dimension}");
            }

            values.AddRange([dimension, value]);
        }

        return (new IncidentSignal(
            news.EpisodeId, news.OrderId, JsonSerializer.Serialize(values), carrier, destination, lane, cause, reason, Clean(news.ExceptionCode), news.OccurredAt ?? now), null);
    }

    /// <summary>The group's dimensions back from its key, as (dimension, value) pairs.</summary>
    public static IReadOnlyList<(string Dimension, string Value)> Dimensions(string groupKey)
    {
        var values = JsonSerializer.Deserialize<List<string>>(groupKey) ?? [];
        return [.. values.Chunk(2).Where(p => p.Length == 2).Select(p => (p[0], p[1]))];
    }

    /// <summary>
    /// Opens at <see cref="IncidentOptions.MinOrders"/> distinct orders in the window, resolves below
    /// <see cref="IncidentOptions.ResolveThreshold"/>; between the two an open incident stays open.
    /// </summary>
    public static IncidentStep Step(int ordersInWindow, bool open, IncidentOptions options) => open
        ? ordersInWindow < options.ResolveThreshold ? IncidentStep.Resolve : IncidentStep.Extend
        : ordersInWindow >= options.MinOrders ? IncidentStep.Open : IncidentStep.Nothing;

    private static string? Value(string dimension, string? carrier, string? destination, string? lane, string cause) => dimension switch
    {
        "carrier" => carrier,
        "destination" => destination,
        "lane" => lane,
        "exception" => cause,
        _ => null,
    };

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
