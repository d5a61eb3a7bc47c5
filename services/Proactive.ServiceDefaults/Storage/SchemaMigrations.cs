namespace Proactive.ServiceDefaults.Storage;

/// <summary>
/// A module's schema as numbered steps; step n is version n. Never edit a released step. Steps
/// are written once for both stores: "{{id}}" stands for an auto-increment primary key.
/// </summary>
public sealed record SchemaMigrations(string Module, IReadOnlyList<string> Steps)
{
    public string For(SqlDialect dialect, int step) => Steps[step].Replace("{{id}}", dialect.AutoIncrementKey, StringComparison.Ordinal);
}
