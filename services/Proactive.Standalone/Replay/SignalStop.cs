using System.Runtime.InteropServices;

namespace Proactive.Standalone.Replay;

/// <summary>A token cancelled by Ctrl-C (SIGINT) or SIGTERM; the process then ends on its own.</summary>
public sealed class SignalStop : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;

    public SignalStop()
    {
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        source.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        source.Cancel();
    }
}
