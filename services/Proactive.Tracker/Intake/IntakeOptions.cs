using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Tracker.Intake;

/// <summary>
/// Configuration section "Proactive:Tracker:Intake": how single deliveries (Dapr OnTopicEvent, the
/// standalone single POST) are gathered into shared commits by <see cref="IntakeBatcher"/>.
/// </summary>
public sealed class IntakeOptions : ICheckedOptions
{
    public const string Section = "Proactive:Tracker:Intake";

    /// <summary>Most events one commit takes from the queue.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>Commits in flight at once on PostgreSQL; SQLite has one writer, so one there.</summary>
    public int Consumers { get; set; } = 4;

    /// <summary>Events waiting for a commit at most; a delivery beyond it waits for room (backpressure).</summary>
    public int QueueCapacity { get; set; } = 4096;

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .Positive(MaxBatch)
        .Positive(Consumers)
        .Positive(QueueCapacity);
}
