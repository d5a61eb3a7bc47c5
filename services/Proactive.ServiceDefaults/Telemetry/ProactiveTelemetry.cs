using System.Diagnostics;

namespace Proactive.ServiceDefaults;

/// <summary>The one ActivitySource every Proactive service writes its spans to.</summary>
public static class ProactiveTelemetry
{
    public const string SourceName = "Proactive";

    public static readonly ActivitySource Source = new(SourceName);
}
