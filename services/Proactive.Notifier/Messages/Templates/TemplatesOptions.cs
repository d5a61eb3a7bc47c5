using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>Configuration section "Proactive:Templates": where a shop's own templates are, and what they may show.</summary>
public sealed class TemplatesOptions : ICheckedOptions
{
    public const string Section = "Proactive:Templates";

    /// <summary>
    /// A folder of override files, "{kind}/{channel}/{language}.liquid" (e.g.
    /// "delay/sms/pt-BR.liquid"); each is checked at start, and the host refuses to start with a
    /// bad one, naming file, line and column. Empty: shipped defaults and API overrides only.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>How often the folder and the API overrides are read again. A bad edited file is refused and logged; its last good version stays.</summary>
    public TimeSpan RefreshEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The <c>support_contact</c> templates can show ("+82 2 1234 5678", "help@shop.example"); empty by default.</summary>
    public string? SupportContact { get; set; }

    public IEnumerable<string> Problems()
    {
        if (RefreshEvery <= TimeSpan.Zero)
        {
            yield return $"{Section}:RefreshEvery must be positive";
        }

        if (!string.IsNullOrWhiteSpace(Path) && !Directory.Exists(Path))
        {
            yield return $"{Section}:Path: folder '{Path}' does not exist";
        }
    }
}
