using System.Data.Common;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Customers' words as stored for analysis: masked, classified (table notifier_voice).</summary>
public sealed class VoiceRows
{
    /// <summary>
    /// One row per free text a customer wrote (an SMS reply, a survey comment), masked: its
    /// topics (wire names, space-separated), sentiment, language, the score when the text came with
    /// one, and the order's delay reason, carrier and destination as known when it came.
    /// </summary>
    public const string Schema = """
        CREATE TABLE notifier_voice (
            voice_id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            order_id TEXT NULL,
            customer_id TEXT NULL,
            score INTEGER NULL,
            text TEXT NOT NULL,
            language TEXT NULL,
            topics TEXT NOT NULL,
            sentiment TEXT NOT NULL,
            sentiment_score DOUBLE PRECISION NOT NULL,
            reason TEXT NULL,
            carrier TEXT NULL,
            destination TEXT NULL,
            received_at BIGINT NOT NULL);
        CREATE INDEX ix_notifier_voice_received ON notifier_voice (received_at, voice_id);
        CREATE INDEX ix_notifier_voice_order ON notifier_voice (order_id);
        """;

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect sql;

    internal VoiceRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, sql) = (connection, transaction, dialect);
}
