namespace Proactive.ServiceDefaults.Storage;

/// <summary>Another process holds the store this one was asked to use.</summary>
public sealed class StoreInUseException(string message) : Exception(message);

/// <summary>
/// Keeps a SQLite store to one process: an exclusive OS lock on "&lt;file&gt;.lock" (flock, which
/// the kernel releases when the process ends, even by SIGKILL). Within one process the same store
/// may be opened again (a host and its demo set-up); the lock goes when the last holder lets go.
/// </summary>
public sealed class StoreFileLock : IDisposable
{
    private static readonly Dictionary<string, (FileStream File, int Holders)> Held = new(StringComparer.Ordinal);
    private readonly string path;
    private bool released;

    private StoreFileLock(string path) => this.path = path;

    /// <summary>Takes the lock of <paramref name="databaseFile"/>, or throws <see cref="StoreInUseException"/>.</summary>
    public static StoreFileLock Acquire(string databaseFile)
    {
        var path = Path.GetFullPath(databaseFile) + ".lock";
        lock (Held)
        {
            if (Held.TryGetValue(path, out var held))
            {
                Held[path] = (held.File, held.Holders + 1);
                return new StoreFileLock(path);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                throw new StoreInUseException(
                    $"Another Proactive instance is using the store {databaseFile}. Stop it first, or give this one "
                    + "a store of its own (--ConnectionStrings:Proactive=\"Data Source=other.db\"). Nothing was changed.");
            }

            Held[path] = (file, 1);
            return new StoreFileLock(path);
        }
    }

    public void Dispose()
    {
        lock (Held)
        {
            if (released || !Held.TryGetValue(path, out var held))
            {
                return;
            }

            released = true;
            if (held.Holders > 1)
            {
                Held[path] = (held.File, held.Holders - 1);
                return;
            }

            Held.Remove(path);
            held.File.Dispose();
        }
    }
}
