namespace Proactive.Standalone.Ingest;

/// <summary>Configuration section "Proactive:Ingest".</summary>
public sealed class IngestOptions
{
    public const string Section = "Proactive:Ingest";

    /// <summary>Largest request body accepted (a single event or a whole batch); larger is 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
