namespace Proactive.Notifier.Messages;

public enum Language
{
    English,
    Korean,
}

public static class Languages
{
    /// <summary>Korean for "ko", "ko-KR"...; English for everything else (the fallback).</summary>
    public static Language For(string? locale) =>
        locale is not null && (locale.Equals("ko", StringComparison.OrdinalIgnoreCase) || locale.StartsWith("ko-", StringComparison.OrdinalIgnoreCase))
            ? Language.Korean
            : Language.English;
}
