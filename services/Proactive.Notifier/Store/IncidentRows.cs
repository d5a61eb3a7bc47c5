using System.Data.Common;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Delay signals grouped by cause, the incidents they open, and their alerts.</summary>
public sealed class IncidentRows
{
    /// <summary>Placeholder tables for incidents: the incidents helper defines them (no release has shipped this migration).</summary>
    public const string Schema = """
        CREATE TABLE notifier_incident_signals (
            episode_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            group_key TEXT NOT NULL,
            seen_at BIGINT NOT NULL);
        """;

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect sql;

    internal IncidentRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, sql) = (connection, transaction, dialect);
}
