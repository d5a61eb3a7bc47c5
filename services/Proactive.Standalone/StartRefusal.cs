using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Standalone;

/// <summary>Why the host cannot start, in one sentence for the console instead of a stack trace.</summary>
internal static class StartRefusal
{
    public static string? Explain(Exception e) => e switch
    {
        StoreInUseException inUse => inUse.Message,
        IOException { InnerException: AddressInUseException } bind =>
            $"{bind.Message} Another program (perhaps another Proactive) is listening there; stop it, or start this one on other ports (--urls=http://localhost:5090).",
        OptionsValidationException invalid => Invalid(invalid.Failures),
        AggregateException all when all.InnerExceptions.All(i => i is OptionsValidationException) =>
            Invalid(all.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures)),
        _ => null,
    };

    private static string Invalid(IEnumerable<string> failures) =>
        $"Invalid configuration, not started:{string.Concat(failures.Select(f => $"{Environment.NewLine}  {f}"))}";
}
