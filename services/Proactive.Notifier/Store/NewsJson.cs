using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proactive.Notifier.Store;

/// <summary>
/// The news a notice tells, kept with the notice so it can be written again at send time (the
/// customer changed language) or on another channel (the SMS could not be delivered).
/// </summary>
internal static class NewsJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string? Write(EpisodeNews? news) => news is null ? null : JsonSerializer.Serialize(news, Options);

    public static EpisodeNews? Read(string? json) => json is null ? null : JsonSerializer.Deserialize<EpisodeNews>(json, Options);
}
