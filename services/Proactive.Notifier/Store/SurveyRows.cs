using System.Data.Common;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>The survey asked of each delivered order, its answer and the CSAT cohort it counts in (table notifier_surveys).</summary>
public sealed class SurveyRows
{
    /// <summary>
    /// One survey per order: which notice asked it, on which channel and in which language; the
    /// cohort it counts in (told_early, told_late, never_told, not_delayed), frozen when asked, with
    /// what the order's news said (reason, carrier, destination); the score when given.
    /// </summary>
    public const string Schema = """
        CREATE TABLE notifier_surveys (
            order_id TEXT PRIMARY KEY,
            notice_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            locale TEXT NOT NULL,
            cohort TEXT NOT NULL,
            first_told_at BIGINT NULL,
            promised_by BIGINT NOT NULL,
            delivered_at BIGINT NULL,
            reason TEXT NULL,
            exception_code TEXT NULL,
            carrier TEXT NULL,
            destination TEXT NULL,
            asked_at BIGINT NOT NULL,
            score INTEGER NULL,
            scored_at BIGINT NULL);
        CREATE INDEX ix_notifier_surveys_scored ON notifier_surveys (scored_at);
        CREATE INDEX ix_notifier_surveys_notice ON notifier_surveys (notice_id);
        """;

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect sql;

    internal SurveyRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, sql) = (connection, transaction, dialect);
}
