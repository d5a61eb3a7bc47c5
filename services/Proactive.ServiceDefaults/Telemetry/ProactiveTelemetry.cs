using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Proactive.ServiceDefaults;

/// <summary>
/// The one ActivitySource every Proactive service writes its spans to, and the messaging spans
/// that carry an order's trace across the hops: the CloudEvent's <c>traceparent</c> into a
/// consumer span, the outbox and notice rows' stored context into the producer and send spans.
/// Attributes name orders, events, rules and decisions; never a phone number, an email or a text.
/// </summary>
public static class ProactiveTelemetry
{
    public const string SourceName = "Proactive";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The trace context a row or a CloudEvent carries, if it is a real one.</summary>
    public static ActivityContext? ContextFrom(string? traceParent, string? traceState) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState, out var context) && context.TraceId != default
            ? context
            : null;

    /// <summary>
    /// "{topic} process": the handling of one message, parented on the context the message
    /// carries (OpenTelemetry messaging conventions), or on the current span when it carries none.
    /// When both exist and differ, the current span (the HTTP/gRPC request) is linked.
    /// </summary>
    public static Activity? StartProcess(string system, string topic, string messageId, string? traceParent, string? traceState)
    {
        var current = Activity.Current;
        var carried = ContextFrom(traceParent, traceState);
        var parent = carried ?? current?.Context ?? default;
        ActivityLink[]? links = carried is not null && current is not null && current.TraceId != carried.Value.TraceId
            ? [new ActivityLink(current.Context)]
            : null;
        var activity = Source.StartActivity(ActivityKind.Consumer, parent, links: links, name: $"{topic} process");
        activity?.SetTag("messaging.system", system);
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.operation.name", "process");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("messaging.message.id", messageId);
        return activity;
    }

    /// <summary>A span of our own work under the current one ("rules evaluate", "notice decide"...).</summary>
    public static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default) =>
        Source.StartActivity(kind, parent, name: name);

    /// <summary>The W3C traceparent of the current span, to store with a row that continues the trace later.</summary>
    public static (string? TraceParent, string? TraceState) CurrentContext() =>
        Activity.Current is { } activity && activity.IdFormat == ActivityIdFormat.W3C
            ? (activity.Id, activity.TraceStateString)
            : (null, null);

    /// <summary>
    /// A request whose route takes a <c>{token}</c> (the survey's signed answer links) is recorded
    /// by its route, not its path: the token is a capability, and whoever reads traces must not be
    /// able to answer for the customer.
    /// </summary>
    public static void HideCapabilities(Activity activity, HttpResponse response)
    {
        if (response.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route } && route.Contains("{token}", StringComparison.Ordinal))
        {
            activity.SetTag("url.path", route);
        }
    }
}
