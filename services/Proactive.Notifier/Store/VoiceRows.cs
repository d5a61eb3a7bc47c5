using System.Data.Common;
using Dapper;
using Proactive.Notifier.Voice;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Customers' words as stored for analysis: masked, classified (table notifier_voice), and what the voice summary and export read.</summary>
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
            score BIGINT NULL,
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

    private const string Columns =
        "v.voice_id, v.source, v.order_id, v.customer_id, v.score, v.text, v.language, v.topics, v.sentiment, v.sentiment_score, v.reason, v.carrier, v.destination, v.received_at";

    // The kinds of notice that do not tell of a delay, as stored (NoticeKind names, safe as SQL literals): the news of the others is the order's context.
    private static readonly string NotWarnings = string.Join(", ", Enum.GetValues<NoticeKind>().Where(k => !k.IsWarning()).Select(k => $"'{k}'"));

    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal VoiceRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx) = (connection, transaction);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Voice items are stored only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>Stores the item; false when an item with its id is already stored.</summary>
    public async Task<bool> AddAsync(VoiceItem v) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_voice (voice_id, source, order_id, customer_id, score, text, language, topics, sentiment, sentiment_score, reason, carrier, destination, received_at)
            VALUES (@VoiceId, @Source, @OrderId, @CustomerId, @Score, @Text, @Language, @Topics, @Sentiment, @SentimentScore, @Reason, @Carrier, @Destination, @ReceivedAt)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                v.VoiceId,
                v.Source,
                v.OrderId,
                v.CustomerId,
                v.Score,
                v.Text,
                v.Language,
                Topics = string.Join(' ', v.Topics),
                v.Sentiment,
                v.SentimentScore,
                v.Context.Reason,
                v.Context.Carrier,
                v.Context.Destination,
                ReceivedAt = v.ReceivedAt.ToMs(),
            },
            Transaction) == 1;

    /// <summary>
    /// What was known of the order: its survey row's delay reason, carrier and destination when it
    /// was surveyed, else those of the news its latest delay notice told; empty when neither exists.
    /// </summary>
    public async Task<OrderContext> ContextAsync(string orderId)
    {
        var surveyed = await c.QuerySingleOrDefaultAsync<ContextRow>(
            "SELECT reason, carrier, destination FROM notifier_surveys WHERE order_id = @orderId", new { orderId }, tx);
        if (surveyed is not null)
        {
            return new OrderContext(surveyed.reason, surveyed.carrier, surveyed.destination);
        }

        var json = await c.QueryFirstOrDefaultAsync<string?>(
            $"""
            SELECT news FROM notifier_notices
            WHERE order_id = @orderId AND kind NOT IN ({NotWarnings}) AND news IS NOT NULL
            ORDER BY decided_at DESC, notice_id DESC LIMIT 1
            """,
            new { orderId },
            tx);
        return NewsJson.Read(json) is { } news
            ? new OrderContext(Contracts.WireName.Of(news.Reason), news.Carrier, news.ShipTo?.Name)
            : OrderContext.None;
    }

    /// <summary>How many items came in [from, to).</summary>
    public Task<long> CountAsync(DateTimeOffset from, DateTimeOffset to) =>
        c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM notifier_voice WHERE received_at >= @from AND received_at < @to", new { from = from.ToMs(), to = to.ToMs() }, tx);

    /// <summary>
    /// The items of [from, to) counted by <paramref name="dimension"/> and sentiment: one row per
    /// distinct pair (topics as stored, space-separated, for the topic dimension).
    /// </summary>
    public async Task<List<VoiceTally>> TallyAsync(VoiceDimension dimension, DateTimeOffset from, DateTimeOffset to)
    {
        var column = dimension switch
        {
            VoiceDimension.Topics => "topics",
            VoiceDimension.Reason => "reason",
            VoiceDimension.Carrier => "carrier",
            VoiceDimension.Destination => "destination",
            VoiceDimension.Sentiment => "sentiment",
            _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "unknown dimension"),
        };
        return (await c.QueryAsync<TallyRow>(
            $"""
            SELECT {column} AS value, sentiment, COUNT(*) AS n FROM notifier_voice
            WHERE received_at >= @from AND received_at < @to
            GROUP BY {column}, sentiment
            """,
            new { from = from.ToMs(), to = to.ToMs() },
            tx)).Select(r => new VoiceTally(r.value, r.sentiment, r.n)).ToList();
    }

    /// <summary>The <paramref name="limit"/> newest items of [from, to), newest first.</summary>
    public async Task<List<StoredVoice>> NewestAsync(DateTimeOffset from, DateTimeOffset to, int limit) =>
        (await c.QueryAsync<VoiceRow>(
            $"""
            SELECT {Columns}, NULL AS cohort FROM notifier_voice v
            WHERE v.received_at >= @from AND v.received_at < @to
            ORDER BY v.received_at DESC, v.voice_id DESC LIMIT @limit
            """,
            new { from = from.ToMs(), to = to.ToMs(), limit },
            tx)).Select(r => r.ToVoice()).ToList();

    /// <summary>
    /// At most <paramref name="limit"/> items of [from, to), oldest first, after <paramref name="after"/>
    /// (the last item of the previous page) when given, each with the CSAT cohort of its order's survey.
    /// </summary>
    public async Task<List<StoredVoice>> PageAsync(DateTimeOffset from, DateTimeOffset to, VoiceCursor? after, int limit) =>
        (await c.QueryAsync<VoiceRow>(
            $"""
            SELECT {Columns}, s.cohort FROM notifier_voice v
            LEFT JOIN notifier_surveys s ON s.order_id = v.order_id
            WHERE v.received_at >= @from AND v.received_at < @to
            {(after is null ? "" : "AND (v.received_at > @afterAt OR (v.received_at = @afterAt AND v.voice_id > @afterId))")}
            ORDER BY v.received_at, v.voice_id LIMIT @limit
            """,
            new { from = from.ToMs(), to = to.ToMs(), afterAt = after?.ReceivedAt.ToMs() ?? 0, afterId = after?.VoiceId ?? "", limit },
            tx)).Select(r => r.ToVoice()).ToList();

    /// <summary>
    /// Surveys asked in [from, to), and how many of them have a score. A survey withdrawn before it
    /// went out (a STOP while it waited for morning) or that failed was not asked. NOT IN, not NOT
    /// EXISTS (both ids are NOT NULL, so they agree): the few withdrawn notices are found once through
    /// the status index instead of one lookup per survey (100,000 orders: a third of the voice page).
    /// </summary>
    public async Task<(long Asked, long Answered)> SurveysAskedAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var row = await c.QuerySingleAsync<AskedRow>(
            """
            SELECT COUNT(*) AS asked, COUNT(s.score) AS answered FROM notifier_surveys s
            WHERE s.asked_at >= @from AND s.asked_at < @to
            AND s.notice_id NOT IN (
                SELECT n.notice_id FROM notifier_notices n
                WHERE n.sent_at IS NULL AND n.status IN (@suppressed, @failed))
            """,
            new { from = from.ToMs(), to = to.ToMs(), suppressed = nameof(NoticeStatus.Suppressed), failed = nameof(NoticeStatus.Failed) },
            tx);
        return (row.asked, row.answered);
    }

    /// <summary>Surveys scored in [from, to) per cohort: how many, the sum of their scores, how many gave 4 or 5.</summary>
    public async Task<List<CohortScores>> ScoresByCohortAsync(DateTimeOffset from, DateTimeOffset to) =>
        (await c.QueryAsync<CohortRow>(
            """
            SELECT cohort, COUNT(*) AS answered, SUM(score) AS total, SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS satisfied
            FROM notifier_surveys
            WHERE score IS NOT NULL AND scored_at >= @from AND scored_at < @to
            GROUP BY cohort
            """,
            new { from = from.ToMs(), to = to.ToMs() },
            tx)).Select(r => new CohortScores(r.cohort, r.answered, r.total, r.satisfied)).ToList();

    // Classes rather than positional records: Dapper converts by column name, whatever type SQLite
    // reports for a computed column (an aggregate over no rows reports none).
    private sealed class ContextRow
    {
        public string? reason { get; init; }

        public string? carrier { get; init; }

        public string? destination { get; init; }
    }

    private sealed class TallyRow
    {
        public string? value { get; init; }

        public string sentiment { get; init; } = "";

        public long n { get; init; }
    }

    private sealed class AskedRow
    {
        public long asked { get; init; }

        public long answered { get; init; }
    }

    private sealed class CohortRow
    {
        public string cohort { get; init; } = "";

        public long answered { get; init; }

        public long total { get; init; }

        public long satisfied { get; init; }
    }

    private sealed class VoiceRow
    {
        public string voice_id { get; init; } = "";

        public string source { get; init; } = "";

        public string? order_id { get; init; }

        public string? customer_id { get; init; }

        public long? score { get; init; }

        public string text { get; init; } = "";

        public string? language { get; init; }

        public string topics { get; init; } = "";

        public string sentiment { get; init; } = "";

        public double sentiment_score { get; init; }

        public string? reason { get; init; }

        public string? carrier { get; init; }

        public string? destination { get; init; }

        public long received_at { get; init; }

        public string? cohort { get; init; }

        public StoredVoice ToVoice() => new(
            voice_id,
            source,
            order_id,
            customer_id,
            score is { } s ? (int)s : null,
            text,
            language,
            topics.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            sentiment,
            sentiment_score,
            new OrderContext(reason, carrier, destination),
            UnixTime.FromMs(received_at),
            cohort);
    }
}
