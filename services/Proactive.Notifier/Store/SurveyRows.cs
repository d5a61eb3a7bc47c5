using System.Data.Common;
using Dapper;
using Proactive.Notifier.Survey;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>The survey asked of each delivered order, its answer and the CSAT cohort it counts in (table notifier_surveys).</summary>
public sealed class SurveyRows
{
    /// <summary>
    /// One survey per order: which notice asked it, on which channel and in which language; the
    /// cohort it counts in (told_early, told_late, never_told, not_delayed), frozen when asked, with
    /// what the order's news said (reason, carrier, destination); the score when given. The email's
    /// link clicks (clicked_score, clicked_at) and the form post that confirms a score (confirmed_at)
    /// tell a person from a mail scanner that opens every link. notifier_secrets keeps the generated
    /// link key (when none is configured), so every replica and restart signs with the same one.
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
            score BIGINT NULL,
            scored_at BIGINT NULL,
            clicked_score BIGINT NULL,
            clicked_at BIGINT NULL,
            confirmed_at BIGINT NULL);
        CREATE INDEX ix_notifier_surveys_scored ON notifier_surveys (scored_at);
        CREATE INDEX ix_notifier_surveys_notice ON notifier_surveys (notice_id);

        CREATE TABLE notifier_secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at BIGINT NOT NULL);
        """;

    private const string Columns = """
        order_id, notice_id, customer_id, channel, locale, cohort, first_told_at, promised_by, delivered_at, reason, exception_code,
        carrier, destination, asked_at, score, scored_at, clicked_score, clicked_at, confirmed_at
        """;

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect sql;

    internal SurveyRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, sql) = (connection, transaction, dialect);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Surveys change only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>Stores the survey; false when the order already has one.</summary>
    public async Task<bool> AddAsync(SurveyRecord s) =>
        await c.ExecuteAsync(
            $"""
            INSERT INTO notifier_surveys ({Columns})
            VALUES (@OrderId, @NoticeId, @CustomerId, @Channel, @Locale, @Cohort, @FirstToldAt, @PromisedBy, @DeliveredAt, @Reason, @ExceptionCode,
                    @Carrier, @Destination, @AskedAt, @Score, @ScoredAt, @ClickedScore, @ClickedAt, @ConfirmedAt)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                s.OrderId,
                s.NoticeId,
                s.CustomerId,
                Channel = s.Channel.ToString(),
                s.Locale,
                s.Cohort,
                FirstToldAt = s.FirstToldAt.ToMs(),
                PromisedBy = s.PromisedBy.ToMs(),
                DeliveredAt = s.DeliveredAt.ToMs(),
                s.Reason,
                s.ExceptionCode,
                s.Carrier,
                s.Destination,
                AskedAt = s.AskedAt.ToMs(),
                s.Score,
                ScoredAt = s.ScoredAt.ToMs(),
                s.ClickedScore,
                ClickedAt = s.ClickedAt.ToMs(),
                ConfirmedAt = s.ConfirmedAt.ToMs(),
            },
            Transaction) == 1;

    /// <summary>The order's survey (locked until the unit of work ends, when in one); null when none was asked.</summary>
    public async Task<SurveyRecord?> FindAsync(string orderId) =>
        (await c.QueryAsync<SurveyRow>($"SELECT {Columns} FROM notifier_surveys WHERE order_id = @orderId{(tx is null ? "" : sql.ForUpdate)}", new { orderId }, tx))
            .Select(r => r.ToRecord()).SingleOrDefault();

    /// <summary>The score given at <paramref name="at"/> (the latest answer wins); <paramref name="confirmed"/>: by a person for sure (an SMS, the form).</summary>
    public Task ScoreAsync(string orderId, int score, DateTimeOffset at, bool confirmed) =>
        c.ExecuteAsync(
            $"UPDATE notifier_surveys SET score = @score, scored_at = @at{(confirmed ? ", confirmed_at = @at" : "")} WHERE order_id = @orderId",
            new { orderId, score, at = at.ToMs() },
            Transaction);

    /// <summary>An email link clicked: remembered; the score set to it, or left unset (<paramref name="score"/> null) while unconfirmed.</summary>
    public Task ClickAsync(string orderId, int clicked, DateTimeOffset clickedAt, int? score, DateTimeOffset? scoredAt) =>
        c.ExecuteAsync(
            "UPDATE notifier_surveys SET clicked_score = @clicked, clicked_at = @clickedAt, score = @score, scored_at = @scoredAt WHERE order_id = @orderId",
            new { orderId, clicked, score, clickedAt = clickedAt.ToMs(), scoredAt = score is null ? null : scoredAt?.ToMs() },
            Transaction);

    /// <summary>
    /// The secret named <paramref name="name"/>: the one stored, else <paramref name="candidate"/>,
    /// stored now. Created says it was stored by this unit of work (it may yet roll back).
    /// </summary>
    public async Task<(string Value, bool Created)> SecretAsync(string name, string candidate, DateTimeOffset now)
    {
        var created = await c.ExecuteAsync(
            "INSERT INTO notifier_secrets (name, value, created_at) VALUES (@name, @candidate, @now) ON CONFLICT DO NOTHING",
            new { name, candidate, now = now.ToMs() },
            Transaction) == 1;
        var value = await c.QuerySingleAsync<string>("SELECT value FROM notifier_secrets WHERE name = @name", new { name }, Transaction);
        return (value, created);
    }

    private sealed record SurveyRow(
        string order_id,
        string notice_id,
        string customer_id,
        string channel,
        string locale,
        string cohort,
        long? first_told_at,
        long promised_by,
        long? delivered_at,
        string? reason,
        string? exception_code,
        string? carrier,
        string? destination,
        long asked_at,
        long? score,
        long? scored_at,
        long? clicked_score,
        long? clicked_at,
        long? confirmed_at)
    {
        public SurveyRecord ToRecord() => new(
            order_id,
            notice_id,
            customer_id,
            Enum.Parse<Channel>(channel),
            locale,
            cohort,
            UnixTime.FromMs(first_told_at),
            UnixTime.FromMs(promised_by),
            UnixTime.FromMs(delivered_at),
            reason,
            exception_code,
            carrier,
            destination,
            UnixTime.FromMs(asked_at),
            (int?)score,
            UnixTime.FromMs(scored_at),
            (int?)clicked_score,
            UnixTime.FromMs(clicked_at),
            UnixTime.FromMs(confirmed_at));
    }
}
