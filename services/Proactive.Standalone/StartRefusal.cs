using Microsoft.AspNetCore.Connections;
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
        _ => null,
    };
}
