using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.ServiceDefaults;

/// <summary>Why a host cannot start, in one sentence for the console instead of a stack trace.</summary>
public static class StartRefusal
{
    /// <summary>Runs a host; a start it refuses for a known reason prints that reason and returns 1.</summary>
    public static async Task<int> RunAsync(Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (Exception e) when (IsOwnProcess(run) && Explain(e) is { } reason)
        {
            await Console.Error.WriteLineAsync(reason);
            return 1;
        }
    }

    // Under a test's WebApplicationFactory the host is started through this call, and the factory
    // must see the exception itself.
    private static bool IsOwnProcess(Func<Task> run) => Assembly.GetEntryAssembly() == run.Method.DeclaringType?.Assembly;

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
