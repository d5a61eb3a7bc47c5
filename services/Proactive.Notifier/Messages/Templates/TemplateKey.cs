using System.Diagnostics.CodeAnalysis;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>
/// Which template: a notice kind ("delay", "further_delay", "at_risk", "action_required",
/// "back_on_track", "survey"), a channel part ("sms", "email.subject", "email.text", "email.html") and a
/// language ("ko", "en", "ja", "pt-BR", "es"). Written "delay/sms/pt-BR", the path of its override
/// file without ".liquid".
/// </summary>
public sealed record TemplateKey(string Kind, string Channel, string Language)
{
    public static readonly IReadOnlyList<string> Kinds = ["delay", "further_delay", "at_risk", "action_required", "back_on_track", "survey"];

    public static readonly IReadOnlyList<string> Channels = ["sms", "email.subject", "email.text", "email.html"];

    public override string ToString() => $"{Kind}/{Channel}/{Language}";

    public bool IsSms => Channel == "sms";

    public bool IsHtml => Channel == "email.html";

    /// <summary>The survey after delivery: its own shipped defaults (<c>survey.sms.liquid</c>, ...), not the notices'.</summary>
    public bool IsSurvey => Kind == "survey";

    public static string KindOf(NoticeKind kind) => kind switch
    {
        NoticeKind.Delay => "delay",
        NoticeKind.FurtherDelay => "further_delay",
        NoticeKind.AtRisk => "at_risk",
        NoticeKind.ActionRequired => "action_required",
        NoticeKind.BackOnTrack => "back_on_track",
        NoticeKind.Survey => "survey",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no template for this kind"),
    };

    /// <summary>
    /// The key the three parts name, their case and "-"/"_" forgiven ("DELAY", "pt-br"); null and
    /// <paramref name="error"/> naming the part when one is unknown.
    /// </summary>
    public static bool TryParse(string kind, string channel, string language, [NotNullWhen(true)] out TemplateKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var k = Kinds.FirstOrDefault(x => string.Equals(x, kind.Replace('-', '_'), StringComparison.OrdinalIgnoreCase));
        var c = Channels.FirstOrDefault(x => string.Equals(x, channel, StringComparison.OrdinalIgnoreCase));
        var l = TemplateLanguages.Supported.FirstOrDefault(x => string.Equals(x, language.Replace('_', '-'), StringComparison.OrdinalIgnoreCase));
        error = k is null ? $"kind: '{kind}' is not one of {string.Join(", ", Kinds)}"
            : c is null ? $"channel: '{channel}' is not one of {string.Join(", ", Channels)}"
            : l is null ? $"language: '{language}' is not one of {string.Join(", ", TemplateLanguages.Supported)}"
            : null;
        if (error is not null)
        {
            return false;
        }

        key = new TemplateKey(k!, c!, l!);
        return true;
    }
}
