namespace Proactive.ServiceDefaults;

/// <summary>The command line a host builder gets, with the defaults every Proactive host shares.</summary>
public static class HostArguments
{
    private const string ReloadKey = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Configuration files are read once, at start. Watching them for changes means watching the
    /// content root, where the SQLite store lives (data/): every write of the store woke the watcher,
    /// a tenth of Tracker's CPU under load. Nothing re-reads options at run time; a restart applies a
    /// change, as in a container. Given explicitly (<c>--hostBuilder:reloadConfigOnChange=true</c>),
    /// the caller's choice stands.
    /// </summary>
    public static string[] Of(IEnumerable<string> args)
    {
        var given = args.ToArray();
        return given.Any(a => a.Contains(ReloadKey, StringComparison.OrdinalIgnoreCase)) ? given : [.. given, $"--{ReloadKey}=false"];
    }
}
