namespace Proactive.ServiceDefaults.Auth;

/// <summary>
/// `--new-api-key NAME --scopes "events:write orders:read"`: mints a key, prints it once, and
/// prints the configuration that admits it (its hash and scopes, never the key).
/// </summary>
public static class NewApiKeyCommand
{
    public const string Name = "--new-api-key";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var name = args.Count > 1 ? args[1] : null;
        var scopesAt = args.ToList().IndexOf("--scopes");
        var scopes = scopesAt >= 0 && scopesAt + 1 < args.Count ? Scopes.Split(args[scopesAt + 1]) : [];
        var unknown = scopes.Where(s => !Scopes.All.Contains(s)).ToList();
        if (!ApiKey.IsName(name) || scopes.Count == 0 || unknown.Count > 0)
        {
            error.WriteLine($"Usage: {Name} NAME --scopes \"{string.Join(' ', Scopes.All)}\"");
            error.WriteLine("  NAME: letters, digits, '-' and '_' (at most 64); the client's name in logs and rate limits.");
            error.WriteLine(unknown.Count > 0 ? $"  Unknown scope(s): {string.Join(' ', unknown)}." : $"  Scopes, separated by spaces or commas: {string.Join(' ', Scopes.All)}.");
            return 2;
        }

        var key = ApiKey.Mint();
        var section = $"{ApiAuthOptions.Section}:ApiKeys:{name}".Replace(":", "__", StringComparison.Ordinal);
        output.WriteLine($"API key '{name}' (shown once; give it to the client, which sends 'Authorization: {ApiKeyAuthenticationHandler.SchemeName} <key>'):");
        output.WriteLine();
        output.WriteLine($"  {key}");
        output.WriteLine();
        output.WriteLine("Configure the host with (the hash, never the key):");
        output.WriteLine();
        output.WriteLine($"  {section}__Hash={ApiKey.Hash(key)}");
        output.WriteLine($"  {section}__Scopes=\"{string.Join(' ', scopes.Distinct())}\"");
        return 0;
    }
}
