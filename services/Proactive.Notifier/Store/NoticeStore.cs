using System.Data.Common;
using Dapper;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Notifier's tables: processed episode changes, every notice decision and every send attempt.</summary>
public sealed class NoticeStore(Database database)
{
    private const string Columns =
        """
        notice_id, order_id, episode_id, sequence, channel, kind, reason, status, why, decided_at, scheduled_at, sent_at,
        attempts, provider_message_id, provider_code, recipient, locale, subject, text, html, estimated_delivery_at, action_required
        """;

    public Database Database => database;

    /// <summary>Records (source, id) as processed; false when it already was.</summary>
    public static async Task<bool> TryMarkProcessedAsync(DbConnection c, DbTransaction tx, string source, string eventId, DateTimeOffset now) =>
        await c.ExecuteAsync(
            "INSERT INTO notifier_inbox (source, event_id, received_at) VALUES (@source, @eventId, @now) ON CONFLICT DO NOTHING",
            new { source, eventId, now = now.ToMs() },
            tx) == 1;

    /// <summary>Moves the order's high-water mark to <paramref name="sequence"/>; false when the news is older than what was seen.</summary>
    public static async Task<bool> TryAdvanceSequenceAsync(DbConnection c, DbTransaction tx, string orderId, long sequence) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_orders (order_id, last_sequence) VALUES (@orderId, @sequence)
            ON CONFLICT (order_id) DO UPDATE SET last_sequence = excluded.last_sequence
            WHERE notifier_orders.last_sequence < excluded.last_sequence
            """,
            new { orderId, sequence },
            tx) == 1;

    public static async Task<List<NoticeRecord>> ForOrderAsync(DbConnection c, DbTransaction? tx, string orderId) =>
        (await c.QueryAsync<NoticeRow>(
            $"SELECT {Columns} FROM notifier_notices WHERE order_id = @orderId ORDER BY decided_at, sequence, channel",
            new { orderId },
            tx)).Select(r => r.ToRecord()).ToList();

    public static Task AddAsync(DbConnection c, DbTransaction tx, NoticeRecord n) =>
        c.ExecuteAsync(
            $"""
            INSERT INTO notifier_notices ({Columns})
            VALUES (@NoticeId, @OrderId, @EpisodeId, @Sequence, @Channel, @Kind, @Reason, @Status, @Why, @DecidedAt, @ScheduledAt, @SentAt,
                    @Attempts, @ProviderMessageId, @ProviderCode, @Recipient, @Locale, @Subject, @Text, @Html, @EstimatedDeliveryAt, @ActionRequired)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                n.NoticeId,
                n.OrderId,
                n.EpisodeId,
                n.Sequence,
                Channel = n.Channel.ToString(),
                Kind = n.Kind.ToString(),
                n.Reason,
                Status = n.Status.ToString(),
                n.Why,
                DecidedAt = n.DecidedAt.ToMs(),
                ScheduledAt = n.ScheduledAt.ToMs(),
                SentAt = n.SentAt.ToMs(),
                n.Attempts,
                n.ProviderMessageId,
                n.ProviderCode,
                n.Recipient,
                n.Locale,
                n.Subject,
                n.Text,
                n.Html,
                EstimatedDeliveryAt = n.EstimatedDeliveryAt.ToMs(),
                ActionRequired = n.ActionRequired ? 1 : 0,
            },
            tx);

    /// <summary>Withdraws what was not sent yet for an order: the news is stale.</summary>
    public static Task<int> WithdrawUnsentAsync(DbConnection c, DbTransaction tx, string orderId, string why) =>
        c.ExecuteAsync(
            """
            UPDATE notifier_notices SET status = 'Suppressed', why = @why, scheduled_at = NULL
            WHERE order_id = @orderId AND status IN ('Pending', 'Deferred')
            """,
            new { orderId, why },
            tx);

    public static Task WithdrawAsync(DbConnection c, DbTransaction tx, string noticeId, string why) =>
        c.ExecuteAsync(
            "UPDATE notifier_notices SET status = 'Suppressed', why = @why, scheduled_at = NULL WHERE notice_id = @noticeId AND status IN ('Pending', 'Deferred')",
            new { noticeId, why },
            tx);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due notices for sending: pending ones whose time has
    /// come, and ones claimed earlier whose lease ran out (their sender died).
    /// </summary>
    public Task<List<NoticeRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct) =>
        database.WriteAsync(
            async (c, tx) =>
            {
                var due = (await c.QueryAsync<NoticeRow>(
                    $"""
                    SELECT {Columns} FROM notifier_notices
                    WHERE (status IN ('Pending', 'Deferred') AND scheduled_at <= @now) OR (status = 'Sending' AND lease_until <= @now)
                    ORDER BY scheduled_at LIMIT @limit{database.SkipLocked}
                    """,
                    new { now = now.ToMs(), limit },
                    tx)).Select(r => r.ToRecord()).ToList();
                foreach (var notice in due)
                {
                    await c.ExecuteAsync(
                        "UPDATE notifier_notices SET status = 'Sending', lease_until = @until, attempts = attempts + 1 WHERE notice_id = @NoticeId",
                        new { until = (now + lease).ToMs(), notice.NoticeId },
                        tx);
                }

                return due.Select(n => n with { Status = NoticeStatus.Sending, Attempts = n.Attempts + 1 }).ToList();
            },
            ct);

    /// <summary>Records one attempt's outcome and the notice's new state.</summary>
    public Task RecordAttemptAsync(
        NoticeRecord notice,
        DateTimeOffset at,
        NoticeStatus status,
        string outcome,
        string? providerCode,
        string? providerMessageId,
        string? detail,
        DateTimeOffset? retryAt,
        CancellationToken ct) =>
        database.WriteAsync(
            async (c, tx) =>
            {
                await c.ExecuteAsync(
                    """
                    INSERT INTO notifier_attempts (notice_id, attempt, at, outcome, provider_code, detail)
                    VALUES (@NoticeId, @Attempts, @at, @outcome, @providerCode, @detail)
                    ON CONFLICT DO NOTHING
                    """,
                    new { notice.NoticeId, notice.Attempts, at = at.ToMs(), outcome, providerCode, detail },
                    tx);
                return await c.ExecuteAsync(
                    """
                    UPDATE notifier_notices SET
                        status = @status, why = @why, lease_until = NULL,
                        sent_at = CASE WHEN @status = 'Sent' THEN @at ELSE sent_at END,
                        scheduled_at = COALESCE(@retryAt, scheduled_at),
                        provider_message_id = COALESCE(@providerMessageId, provider_message_id),
                        provider_code = COALESCE(@providerCode, provider_code)
                    WHERE notice_id = @NoticeId AND status = 'Sending'
                    """,
                    new
                    {
                        status = status.ToString(),
                        why = status == NoticeStatus.Sent ? null : detail,
                        at = at.ToMs(),
                        retryAt = retryAt.ToMs(),
                        providerMessageId,
                        providerCode,
                        notice.NoticeId,
                    },
                    tx);
            },
            ct);

    /// <summary>
    /// Forgets processed (source, id) pairs older than the retention window. A change redelivered
    /// after that is still ignored: the order's sequence high-water mark is kept for good.
    /// </summary>
    public Task<int> PruneInboxAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        database.WriteAsync(
            (c, tx) => c.ExecuteAsync("DELETE FROM notifier_inbox WHERE received_at < @cutoff", new { cutoff = cutoff.ToMs() }, tx),
            ct);

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) =>
        database.ReadAsync(
            async c => UnixTime.FromMs(await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT MIN(CASE WHEN status = 'Sending' THEN lease_until ELSE scheduled_at END) FROM notifier_notices WHERE status IN ('Pending', 'Deferred', 'Sending')",
                cancellationToken: ct))),
            ct);

    private sealed record NoticeRow(
        string notice_id,
        string order_id,
        string episode_id,
        long sequence,
        string channel,
        string kind,
        string reason,
        string status,
        string? why,
        long decided_at,
        long? scheduled_at,
        long? sent_at,
        long attempts,
        string? provider_message_id,
        string? provider_code,
        string recipient,
        string locale,
        string? subject,
        string text,
        string? html,
        long? estimated_delivery_at,
        long action_required)
    {
        public NoticeRecord ToRecord() => new(
            notice_id,
            order_id,
            episode_id,
            sequence,
            Enum.Parse<Channel>(channel),
            Enum.Parse<NoticeKind>(kind),
            reason,
            Enum.Parse<NoticeStatus>(status),
            why,
            UnixTime.FromMs(decided_at),
            UnixTime.FromMs(scheduled_at),
            UnixTime.FromMs(sent_at),
            (int)attempts,
            provider_message_id,
            provider_code,
            recipient,
            locale,
            subject,
            text,
            html,
            UnixTime.FromMs(estimated_delivery_at),
            action_required != 0);
    }
}
