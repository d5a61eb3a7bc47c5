using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Tracker.Intake;

/// <summary>
/// Configuration section "Proactive:Tracker:Intake": how deliveries (Dapr single and bulk, the
/// standalone single POST and batch) are gathered into shared commits by <see cref="IntakeBatcher"/>.
/// </summary>
public sealed class IntakeOptions : ICheckedOptions
{
    public const string Section = "Proactive:Tracker:Intake";

    /// <summary>Most events one commit takes from the queue, in whole deliveries (a larger delivery is committed alone).</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>Commits in flight at once on PostgreSQL; SQLite has one writer, so one there.</summary>
    public int Consumers { get; set; } = 4;

    /// <summary>Deliveries waiting for a commit at most; one beyond it waits for room (backpressure).</summary>
    public int QueueCapacity { get; set; } = 4096;

    public IEnumerable<string> Problems() => new OptionProblems(Section)
        .Positive(MaxBatch)
        .Positive(Consumers)
        .Positive(QueueCapacity);
}
