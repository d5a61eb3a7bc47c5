using System.Data.Common;
using Dapper;
using Proactive.Notifier.Preferences;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>One provider call (or refusal to call) for a notice, as recorded.</summary>
public sealed record NoticeAttempt(string NoticeId, int Attempt, DateTimeOffset At, string Outcome, string? ProviderCode, string? Detail);

/// <summary>Notifier's tables: processed episode changes, every notice decision and every send attempt, customers' preferences.</summary>
public sealed class NoticeStore(Database database)
{
    /// <summary>The dispatcher's queue in the failures table (keyed by notice id).</summary>
    public const string DispatchQueue = "notifier.dispatch";

    private const string Columns =
        """
        notice_id, order_id, episode_id, sequence, channel, kind, reason, status, why, decided_at, scheduled_at, sent_at,
        attempts, provider_message_id, provider_code, recipient, locale, subject, text, html, estimated_delivery_at, action_required,
        customer_id, news, first_attempt_at, fallback_for, trace_parent, trace_state, notes, predicted_probability
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

    public static async Task<List<NoticeAttempt>> AttemptsForOrderAsync(DbConnection c, string orderId) =>
        (await c.QueryAsync<AttemptRow>(
            """
            SELECT a.notice_id, a.attempt, a.at, a.outcome, a.provider_code, a.detail
            FROM notifier_attempts a JOIN notifier_notices n ON n.notice_id = a.notice_id
            WHERE n.order_id = @orderId ORDER BY a.notice_id, a.attempt
            """,
            new { orderId })).Select(r => r.ToAttempt()).ToList();

    public static Task AddAsync(DbConnection c, DbTransaction tx, NoticeRecord n) =>
        c.ExecuteAsync(
            $"""
            INSERT INTO notifier_notices ({Columns})
            VALUES (@NoticeId, @OrderId, @EpisodeId, @Sequence, @Channel, @Kind, @Reason, @Status, @Why, @DecidedAt, @ScheduledAt, @SentAt,
                    @Attempts, @ProviderMessageId, @ProviderCode, @Recipient, @Locale, @Subject, @Text, @Html, @EstimatedDeliveryAt, @ActionRequired,
                    @CustomerId, @News, NULL, @FallbackFor, @TraceParent, @TraceState, @Notes, @PredictedProbability)
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
                Reason = Contracts.WireName.Of(n.Reason),
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
                n.CustomerId,
                News = NewsJson.Write(n.News),
                n.FallbackFor,
                n.TraceParent,
                n.TraceState,
                n.Notes,
                n.PredictedProbability,
            },
            tx);

    /// <summary>
    /// Locks the order's notices still waiting to be sent (PostgreSQL; SQLite has one writer), so a
    /// dispatcher's claim (FOR UPDATE SKIP LOCKED) cannot take one while newer news replaces it.
    /// </summary>
    public static async Task LockWaitingAsync(DbConnection c, DbTransaction tx, string orderId)
    {
        if (c is Npgsql.NpgsqlConnection)
        {
            await c.ExecuteAsync(
                "SELECT notice_id FROM notifier_notices WHERE order_id = @orderId AND status IN ('Pending', 'Deferred') FOR UPDATE",
                new { orderId },
                tx);
        }
    }

    /// <summary>Replaces a notice's "why" (adds what became of its fallback).</summary>
    public static Task NoteAsync(DbConnection c, DbTransaction tx, string noticeId, string why) =>
        c.ExecuteAsync("UPDATE notifier_notices SET why = @why WHERE notice_id = @noticeId", new { noticeId, why }, tx);

    public static async Task WithdrawAsync(DbConnection c, DbTransaction tx, string noticeId, string why)
    {
        var withdrawn = await c.ExecuteAsync(
            "UPDATE notifier_notices SET status = 'Suppressed', why = @why, scheduled_at = NULL WHERE notice_id = @noticeId AND status IN ('Pending', 'Deferred')",
            new { noticeId, why },
            tx);

        // A withdrawn notice will never be sent: its failures, parked or not, go with it.
        if (withdrawn == 1)
        {
            await ItemFailures.ClearAsync(c, tx, DispatchQueue, noticeId);
        }
    }

    /// <summary>
    /// Claims due notices for sending, at most <paramref name="limits"/>[channel] per channel: pending
    /// ones whose time has come, and ones claimed earlier whose lease ran out (their sender died).
    /// </summary>
    public Task<List<NoticeRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, IReadOnlyDictionary<Channel, int> limits, CancellationToken ct) =>
        database.WriteAsync(
            async (c, tx) =>
            {
                var due = new List<NoticeRecord>();
                foreach (var (channel, limit) in limits.Where(l => l.Value > 0))
                {
                    due.AddRange((await c.QueryAsync<NoticeRow>(
                        $"""
                        SELECT {Columns} FROM notifier_notices
                        WHERE channel = @channel
                          AND ((status IN ('Pending', 'Deferred') AND scheduled_at <= @now) OR (status = 'Sending' AND lease_until <= @now))
                          AND {ItemFailures.Ready(DispatchQueue, "notice_id")}
                        ORDER BY scheduled_at LIMIT @limit{database.SkipLocked}
                        """,
                        new { channel = channel.ToString(), now = now.ToMs(), limit },
                        tx)).Select(r => r.ToRecord()));
                }

                foreach (var notice in due)
                {
                    await c.ExecuteAsync(
                        """
                        UPDATE notifier_notices SET status = 'Sending', lease_until = @until, attempts = attempts + 1,
                            first_attempt_at = COALESCE(first_attempt_at, @now)
                        WHERE notice_id = @NoticeId
                        """,
                        new { until = (now + lease).ToMs(), now = now.ToMs(), notice.NoticeId },
                        tx);
                }

                // The records keep the status, why and schedule they were claimed with, for UnclaimAsync.
                return due.Select(n => n with { Attempts = n.Attempts + 1, FirstAttemptAt = n.FirstAttemptAt ?? now }).ToList();
            },
            ct);

    /// <summary>Records one attempt's outcome and the notice's new state, in a transaction of its own.</summary>
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
                await RecordAttemptAsync(c, tx, notice, at, status, outcome, providerCode, providerMessageId, detail, retryAt);
                return 0;
            },
            ct);

    /// <summary>
    /// Records one attempt's outcome and the notice's new state. Every settle is fenced by the
    /// attempt number of the claim: a sender whose lease ran out, and whose notice another replica
    /// claimed again, changes nothing.
    /// </summary>
    public static async Task RecordAttemptAsync(
        DbConnection c,
        DbTransaction tx,
        NoticeRecord notice,
        DateTimeOffset at,
        NoticeStatus status,
        string outcome,
        string? providerCode,
        string? providerMessageId,
        string? detail,
        DateTimeOffset? retryAt)
    {
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_attempts (notice_id, attempt, at, outcome, provider_code, detail)
            VALUES (@NoticeId, @Attempts, @at, @outcome, @providerCode, @detail)
            ON CONFLICT DO NOTHING
            """,
            new { notice.NoticeId, notice.Attempts, at = at.ToMs(), outcome, providerCode, detail },
            tx);
        await c.ExecuteAsync(
            """
            UPDATE notifier_notices SET
                status = @status, why = @why, lease_until = NULL,
                sent_at = CASE WHEN @status = 'Sent' THEN @at ELSE sent_at END,
                scheduled_at = COALESCE(@retryAt, scheduled_at),
                provider_message_id = COALESCE(@providerMessageId, provider_message_id),
                provider_code = COALESCE(@providerCode, provider_code)
            WHERE notice_id = @NoticeId AND status = 'Sending' AND attempts = @Attempts
            """,
            new
            {
                notice.Attempts,
                status = status.ToString(),
                why = status == NoticeStatus.Sent ? null : detail,
                at = at.ToMs(),
                retryAt = retryAt.ToMs(),
                providerMessageId,
                providerCode,
                notice.NoticeId,
            },
            tx);
    }

    /// <summary>
    /// Settles a claimed notice without calling the provider (the customer opted out, or it is
    /// quiet hours for them now): the claim is not counted as an attempt.
    /// </summary>
    public Task ReleaseAsync(NoticeRecord notice, NoticeStatus status, string? why, DateTimeOffset? scheduledAt, CancellationToken ct) =>
        database.WriteAsync((c, tx) => ReleaseAsync(c, tx, notice, status, why, scheduledAt), ct);

    public static Task<int> ReleaseAsync(DbConnection c, DbTransaction tx, NoticeRecord notice, NoticeStatus status, string? why, DateTimeOffset? scheduledAt) =>
        c.ExecuteAsync(
            """
            UPDATE notifier_notices SET status = @status, why = @why, lease_until = NULL, attempts = attempts - 1,
                scheduled_at = @scheduledAt, first_attempt_at = CASE WHEN attempts = 1 THEN NULL ELSE first_attempt_at END
            WHERE notice_id = @NoticeId AND status = 'Sending' AND attempts = @Attempts
            """,
            new { status = status.ToString(), why, scheduledAt = scheduledAt.ToMs(), notice.NoticeId, notice.Attempts },
            tx);

    /// <summary>The customer's notices on a channel still waiting to be sent, locked (PostgreSQL) against claims.</summary>
    public static async Task<List<NoticeRecord>> WaitingForCustomerAsync(DbConnection c, DbTransaction tx, string customerId, Channel channel) =>
        (await c.QueryAsync<NoticeRow>(
            $"""
            SELECT {Columns} FROM notifier_notices
            WHERE customer_id = @customerId AND channel = @channel AND status IN ('Pending', 'Deferred')
            {(c is Npgsql.NpgsqlConnection ? "FOR UPDATE" : "")}
            """,
            new { customerId, channel = channel.ToString() },
            tx)).Select(r => r.ToRecord()).ToList();

    /// <summary>Gives a claimed notice back untouched, as if it had not been claimed (its sender has no capacity left now).</summary>
    public Task UnclaimAsync(NoticeRecord notice, CancellationToken ct) =>
        ReleaseAsync(notice, notice.Status == NoticeStatus.Sending ? NoticeStatus.Pending : notice.Status, notice.Why, notice.ScheduledAt, ct);

    /// <summary>The notice was written again (the customer changed language) before it is sent.</summary>
    public Task RewriteAsync(NoticeRecord notice, CancellationToken ct) =>
        database.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                "UPDATE notifier_notices SET locale = @Locale, subject = @Subject, text = @Text, html = @Html, notes = @Notes WHERE notice_id = @NoticeId AND status = 'Sending' AND attempts = @Attempts",
                new { notice.Locale, notice.Subject, notice.Text, notice.Html, notice.Notes, notice.NoticeId, notice.Attempts },
                tx),
            ct);

    /// <summary>
    /// Forgets processed (source, id) pairs older than the retention window. A change redelivered
    /// after that is still ignored: the order's sequence high-water mark is kept for good.
    /// </summary>
    public Task<int> PruneInboxAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        database.WriteAsync(
            (c, tx) => c.ExecuteAsync("DELETE FROM notifier_inbox WHERE received_at < @cutoff", new { cutoff = cutoff.ToMs() }, tx),
            ct);

    /// <summary>
    /// Notices due now and not yet sent (claims whose sender died included), parked ones aside,
    /// and how long the oldest has waited (uses the due index).
    /// </summary>
    public Task<(long Due, TimeSpan? OldestAge)> QueueStatsAsync(DateTimeOffset now, CancellationToken ct) =>
        database.ReadAsync(
            async c =>
            {
                var (count, oldest) = await c.QuerySingleAsync<(long, long?)>(new CommandDefinition(
                    $"""
                    SELECT COUNT(*), MIN(CASE WHEN status = 'Sending' THEN lease_until ELSE scheduled_at END) FROM notifier_notices
                    WHERE ((status IN ('Pending', 'Deferred') AND scheduled_at <= @now) OR (status = 'Sending' AND lease_until <= @now))
                      AND {ItemFailures.NotParked(DispatchQueue, "notice_id")}
                    """,
                    new { now = now.ToMs() },
                    cancellationToken: ct));
                return (count, oldest is { } at ? now - UnixTime.FromMs(at) : (TimeSpan?)null);
            },
            ct);

    /// <summary>When a notice row <c>n</c> may be claimed: its lease's end while it is being sent, else its scheduled time.</summary>
    private const string NoticeDue = "(CASE WHEN n.status = 'Sending' THEN n.lease_until ELSE n.scheduled_at END)";

    /// <summary>
    /// When the next notice on <paramref name="channel"/> falls due (or its lease runs out): of
    /// those that never failed, or the next retry of one that did, not before it is due itself.
    /// </summary>
    public Task<DateTimeOffset?> NextDueAsync(Channel channel, CancellationToken ct) =>
        database.ReadAsync(
            async c =>
            {
                var due = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"""
                    SELECT MIN(CASE WHEN status = 'Sending' THEN lease_until ELSE scheduled_at END) FROM notifier_notices
                    WHERE status IN ('Pending', 'Deferred', 'Sending') AND channel = @channel AND {ItemFailures.NeverFailed(DispatchQueue, "notice_id")}
                    """,
                    new { channel = channel.ToString() },
                    cancellationToken: ct));
                var retry = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"""
                    SELECT MIN(CASE WHEN f.next_attempt_at > {NoticeDue} THEN f.next_attempt_at ELSE {NoticeDue} END)
                    FROM {ItemFailures.Table} f JOIN notifier_notices n ON n.notice_id = f.item_key
                    WHERE f.queue = '{DispatchQueue}' AND f.parked_at IS NULL AND n.channel = @channel AND n.status IN ('Pending', 'Deferred', 'Sending')
                    """,
                    new { channel = channel.ToString() },
                    cancellationToken: ct));
                return UnixTime.FromMs(due is null ? retry : retry is null ? due : Math.Min(due.Value, retry.Value));
            },
            ct);

    public static async Task<CustomerPreferences> PreferencesAsync(DbConnection c, DbTransaction? tx, string customerId) =>
        (await c.QuerySingleOrDefaultAsync<PreferencesRow>(
            """
            SELECT customer_id, channels, locale, time_zone, quiet_hours_start, quiet_hours_end,
                   sms_opted_out_at, sms_opt_out_source, email_opted_out_at, email_opt_out_source, updated_at
            FROM notifier_preferences WHERE customer_id = @customerId
            """,
            new { customerId },
            tx))?.ToPreferences() ?? CustomerPreferences.None(customerId);

    public static Task SavePreferencesAsync(DbConnection c, DbTransaction tx, CustomerPreferences p) =>
        c.ExecuteAsync(
            """
            INSERT INTO notifier_preferences (customer_id, channels, locale, time_zone, quiet_hours_start, quiet_hours_end,
                sms_opted_out_at, sms_opt_out_source, email_opted_out_at, email_opt_out_source, updated_at)
            VALUES (@CustomerId, @Channels, @Locale, @TimeZone, @QuietStart, @QuietEnd, @SmsAt, @SmsSource, @EmailAt, @EmailSource, @UpdatedAt)
            ON CONFLICT (customer_id) DO UPDATE SET
                channels = excluded.channels, locale = excluded.locale, time_zone = excluded.time_zone,
                quiet_hours_start = excluded.quiet_hours_start, quiet_hours_end = excluded.quiet_hours_end,
                sms_opted_out_at = excluded.sms_opted_out_at, sms_opt_out_source = excluded.sms_opt_out_source,
                email_opted_out_at = excluded.email_opted_out_at, email_opt_out_source = excluded.email_opt_out_source,
                updated_at = excluded.updated_at
            """,
            new
            {
                p.CustomerId,
                Channels = p.Channels is null ? null : string.Join(',', p.Channels),
                p.Locale,
                p.TimeZone,
                QuietStart = p.QuietHours?.Start,
                QuietEnd = p.QuietHours?.End,
                SmsAt = p.SmsOptOut?.At.ToMs(),
                SmsSource = p.SmsOptOut?.Source,
                EmailAt = p.EmailOptOut?.At.ToMs(),
                EmailSource = p.EmailOptOut?.Source,
                UpdatedAt = p.UpdatedAt.ToMs() ?? 0,
            },
            tx);

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
        long action_required,
        string? customer_id,
        string? news,
        long? first_attempt_at,
        string? fallback_for,
        string? trace_parent,
        string? trace_state,
        string? notes,
        double? predicted_probability)
    {
        public NoticeRecord ToRecord() => new(
            notice_id,
            order_id,
            episode_id,
            sequence,
            Enum.Parse<Channel>(channel),
            Enum.Parse<NoticeKind>(kind),
            Contracts.WireName.Parse<Contracts.Tracker.V1.DelayReason>(reason),
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
            action_required != 0,
            customer_id,
            NewsJson.Read(news),
            UnixTime.FromMs(first_attempt_at),
            fallback_for,
            trace_parent,
            trace_state,
            notes,
            predicted_probability);
    }

    private sealed record AttemptRow(string notice_id, long attempt, long at, string outcome, string? provider_code, string? detail)
    {
        public NoticeAttempt ToAttempt() => new(notice_id, (int)attempt, UnixTime.FromMs(at), outcome, provider_code, detail);
    }

    private sealed record PreferencesRow(
        string customer_id,
        string? channels,
        string? locale,
        string? time_zone,
        string? quiet_hours_start,
        string? quiet_hours_end,
        long? sms_opted_out_at,
        string? sms_opt_out_source,
        long? email_opted_out_at,
        string? email_opt_out_source,
        long updated_at)
    {
        public CustomerPreferences ToPreferences() => new(
            customer_id,
            channels?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<Channel>).ToList(),
            locale,
            time_zone,
            quiet_hours_start is { } start && quiet_hours_end is { } end ? new QuietWindow(start, end) : null,
            sms_opted_out_at is { } smsAt ? new OptOut(UnixTime.FromMs(smsAt), sms_opt_out_source ?? "") : null,
            email_opted_out_at is { } emailAt ? new OptOut(UnixTime.FromMs(emailAt), email_opt_out_source ?? "") : null,
            UnixTime.FromMs(updated_at));
    }
}
