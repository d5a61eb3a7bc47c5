using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Survey;

/// <summary>Configuration section "Proactive:Survey": the one-question survey after delivery.</summary>
public sealed class SurveyOptions : ICheckedOptions
{
    public const string Section = "Proactive:Survey";

    public const string DelayedAudience = "delayed";
    public const string AllAudience = "all";

    /// <summary>The smallest link key (HMAC-SHA256 wants at least its block of output: 32 bytes).</summary>
    public const int MinLinkKeyBytes = 32;

    public bool Enabled { get; set; } = true;

    /// <summary>"delayed": orders that had a delay episode; "all": those, and a sample (<see cref="SampleRate"/>) of the others.</summary>
    public string Audience { get; set; } = DelayedAudience;

    /// <summary>With audience "all", the share of never-delayed orders asked (0–1), chosen by a hash of the order id.</summary>
    public double SampleRate { get; set; } = 1.0;

    /// <summary>How long after delivery the survey is asked (quiet hours permitting).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>How long an SMS answer counts, and how long the email's links work.</summary>
    public TimeSpan ReplyWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Delivery news older than this asks nothing (replays, backfills, orders delivered before an upgrade).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The key that signs the email's links (base64, at least 32 bytes); unset: generated once and kept in the database.</summary>
    public string? LinkKey { get; set; }

    public bool AllOrders => string.Equals(Audience, AllAudience, StringComparison.OrdinalIgnoreCase);

    /// <summary>The configured link key's bytes; null when none is configured (or it is not base64).</summary>
    public byte[]? LinkKeyBytes()
    {
        if (string.IsNullOrWhiteSpace(LinkKey))
        {
            return null;
        }

        var buffer = new byte[LinkKey.Length];
        return Convert.TryFromBase64String(LinkKey.Trim(), buffer, out var written) ? buffer[..written] : null;
    }

    public IEnumerable<string> Problems() =>
        new OptionProblems(Section)
            .Require(
                string.Equals(Audience, DelayedAudience, StringComparison.OrdinalIgnoreCase) || AllOrders,
                nameof(Audience),
                $"'{Audience}' must be '{DelayedAudience}' or '{AllAudience}'")
            .Require(SampleRate is >= 0 and <= 1, nameof(SampleRate), "must be between 0 and 1")
            .Require(Delay >= TimeSpan.Zero, nameof(Delay), "must not be negative")
            .Positive(ReplyWindow)
            .Positive(MaxAge)
            .Require(
                string.IsNullOrWhiteSpace(LinkKey) || LinkKeyBytes() is { Length: >= MinLinkKeyBytes },
                nameof(LinkKey),
                $"must be base64 of at least {MinLinkKeyBytes} random bytes (e.g. openssl rand -base64 32), or unset to have one generated and kept in the database");
}
