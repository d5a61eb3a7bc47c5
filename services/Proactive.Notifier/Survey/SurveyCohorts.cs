namespace Proactive.Notifier.Survey;

/// <summary>The CSAT cohort a survey counts in, frozen when it is asked.</summary>
public static class SurveyCohorts
{
    /// <summary>Warned (a delay notice sent or delivered) before the promised time passed.</summary>
    public const string ToldEarly = "told_early";

    /// <summary>First warned at or after the promised time.</summary>
    public const string ToldLate = "told_late";

    /// <summary>Had a delay episode, but no delay notice reached the customer.</summary>
    public const string NeverTold = "never_told";

    /// <summary>No delay episode (audience "all" only).</summary>
    public const string NotDelayed = "not_delayed";
}
