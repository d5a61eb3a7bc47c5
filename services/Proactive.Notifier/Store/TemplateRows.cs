using System.Data.Common;
using Dapper;
using Proactive.Notifier.Messages.Templates;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>
/// Message templates stored through the API (table notifier_templates): every version of every
/// key, never changed once written; the newest version of a key is the one in use. A roll-back
/// writes the old text again as the next version.
/// </summary>
public sealed class TemplateRows
{
    public const string Schema =
        """
        CREATE TABLE notifier_templates (
            kind TEXT NOT NULL,
            channel TEXT NOT NULL,
            language TEXT NOT NULL,
            version BIGINT NOT NULL,
            source TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            note TEXT NULL,
            PRIMARY KEY (kind, channel, language, version));
        """;

    private const string Columns = "kind, channel, language, version, source, created_by, created_at, note";

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect dialect;

    internal TemplateRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, this.dialect) = (connection, transaction, dialect);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Templates are stored only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>Stores <paramref name="source"/> as the key's next version (the key locked meanwhile) and returns it.</summary>
    public async Task<StoredTemplate> AddAsync(TemplateKey key, string source, string createdBy, DateTimeOffset at, string? note)
    {
        await dialect.LockAsync(c, Transaction, $"template:{key}");
        var version = 1 + await c.ExecuteScalarAsync<long>(
            "SELECT COALESCE(MAX(version), 0) FROM notifier_templates WHERE kind = @Kind AND channel = @Channel AND language = @Language",
            new { key.Kind, key.Channel, key.Language },
            Transaction);
        var stored = new StoredTemplate(key, version, source, createdBy, at, note);
        await c.ExecuteAsync(
            $"INSERT INTO notifier_templates ({Columns}) VALUES (@Kind, @Channel, @Language, @Version, @Source, @CreatedBy, @CreatedAt, @Note)",
            new { key.Kind, key.Channel, key.Language, Version = version, Source = source, CreatedBy = createdBy, CreatedAt = at.ToMs(), Note = note },
            Transaction);
        return stored;
    }

    /// <summary>Every version of the key, newest first.</summary>
    public async Task<List<StoredTemplate>> VersionsAsync(TemplateKey key) =>
        (await c.QueryAsync<TemplateRow>(
            $"SELECT {Columns} FROM notifier_templates WHERE kind = @Kind AND channel = @Channel AND language = @Language ORDER BY version DESC",
            new { key.Kind, key.Channel, key.Language },
            tx)).Select(r => r.ToStored()).ToList();

    public async Task<StoredTemplate?> VersionAsync(TemplateKey key, long version) =>
        (await c.QueryAsync<TemplateRow>(
            $"SELECT {Columns} FROM notifier_templates WHERE kind = @Kind AND channel = @Channel AND language = @Language AND version = @version",
            new { key.Kind, key.Channel, key.Language, version },
            tx)).Select(r => r.ToStored()).FirstOrDefault();

    /// <summary>The newest version of every key: the templates in use.</summary>
    public async Task<List<StoredTemplate>> NewestAsync() =>
        (await c.QueryAsync<TemplateRow>(
            $"""
            SELECT {Columns} FROM notifier_templates t
            WHERE version = (SELECT MAX(version) FROM notifier_templates m WHERE m.kind = t.kind AND m.channel = t.channel AND m.language = t.language)
            """,
            transaction: tx)).Select(r => r.ToStored()).ToList();

    private sealed record TemplateRow(string kind, string channel, string language, long version, string source, string created_by, long created_at, string? note)
    {
        public StoredTemplate ToStored() => new(new TemplateKey(kind, channel, language), version, source, created_by, UnixTime.FromMs(created_at), note);
    }
}
