using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// API keys: 32 random bytes, stored as their SHA-256. A key is a long random secret, not a
/// password, so a slow or salted hash adds nothing (nobody can guess 256 bits) and a fast one lets
/// every request be checked cheaply; GitHub and Stripe store their tokens the same way.
/// </summary>
public static partial class ApiKey
{
    /// <summary>Every key starts so, which secret scanners and people recognise.</summary>
    public const string Prefix = "pak_";

    /// <summary>A new key, to be shown once.</summary>
    public static string Mint() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What configuration holds of a key: its SHA-256, 64 lower-case hex digits.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The name of the configured key whose hash <paramref name="key"/> has, compared in constant time; null when none.</summary>
    public static string? Find(string key, IEnumerable<KeyValuePair<string, ApiKeySettings>> keys)
    {
        var given = Encoding.ASCII.GetBytes(Hash(key));
        string? found = null;
        foreach (var (name, settings) in keys)
        {
            if (IsHash(settings.Hash) && CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(settings.Hash!.ToLowerInvariant())))
            {
                found = name;
            }
        }

        return found;
    }

    /// <summary>A key this service minted (its prefix), as opposed to a bearer token.</summary>
    public static bool LooksLikeKey(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool IsHash(string? value) => value is not null && HashPattern().IsMatch(value);

    /// <summary>A key's name is part of configuration keys and of logs: letters, digits, '-' and '_'.</summary>
    public static bool IsName(string? value) => value is not null && NamePattern().IsMatch(value);

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HashPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
