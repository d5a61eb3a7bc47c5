namespace Proactive.ServiceDefaults.Storage;

/// <summary>Instants are stored as Unix milliseconds: sortable, indexable and the same on every store.</summary>
public static class UnixTime
{
    public static long ToMs(this DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    public static long? ToMs(this DateTimeOffset? instant) => instant?.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? FromMs(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
