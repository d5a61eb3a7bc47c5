using Microsoft.Extensions.Localization;

namespace Proactive.CxConsole;

/// <summary>The console's words: ConsoleText.resx (English) and ConsoleText.ko.resx (Korean).</summary>
public sealed class ConsoleText;

public static class ConsoleTextExtensions
{
    /// <summary>A code's words ("Reason_ETA_SLIP"), or the code itself when the resources have none.</summary>
    public static string Code(this IStringLocalizer<ConsoleText> text, string prefix, string code)
    {
        var found = text[$"{prefix}_{code}"];
        return found.ResourceNotFound ? code : found.Value;
    }
}
