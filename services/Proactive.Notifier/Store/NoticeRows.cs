using System.Data.Common;
using Dapper;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Every notice decision and every send attempt. Statuses change only through <see cref="ApplyAsync"/> and the claim, both as the lifecycle decided.</summary>
public sealed class NoticeRows
{
    private const string Columns =
        """
        notice_id, order_id, episode_id, sequence, channel, kind, reason, status, why, decided_at, scheduled_at, sent_at,
        attempts, provider_message_id, provider_code, recipient, locale, subject, text, html, estimated_delivery_at, action_required,
        customer_id, news, first_attempt_at, fallback_for, trace_parent, trace_state, notes, predicted_probability, template
        """;

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect dialect;

    internal NoticeRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, this.dialect) = (connection, transaction, dialect);

    /// <summary>The unit of work's transaction; only <see cref="NotifierReads"/> holds rows without one, and it never writes.</summary>
    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Notices change only in a unit of work (NoticeStore.InTransactionAsync).");

    public async Task<List<NoticeRecord>> ForOrderAsync(string orderId) =>
        (await c.QueryAsync<NoticeRow>(
            $"SELECT {Columns} FROM notifier_notices WHERE order_id = @orderId ORDER BY decided_at, sequence, channel",
            new { orderId },
            tx)).Select(r => r.ToRecord()).ToList();

    /// <summary>The notice, locked against other changes until the unit of work ends; null when there is none.</summary>
    public async Task<NoticeRecord?> FindAsync(string noticeId) =>
        (await c.QueryAsync<NoticeRow>($"SELECT {Columns} FROM notifier_notices WHERE notice_id = @noticeId{dialect.ForUpdate}", new { noticeId }, Transaction))
            .Select(r => r.ToRecord()).SingleOrDefault();

    /// <summary>The notice the provider accepted under <paramref name="providerMessageId"/>, locked; null when none.</summary>
    public async Task<NoticeRecord?> FindByProviderMessageAsync(string providerMessageId) =>
        (await c.QueryAsync<NoticeRow>(
            $"SELECT {Columns} FROM notifier_notices WHERE provider_message_id = @providerMessageId{dialect.ForUpdate}", new { providerMessageId }, Transaction))
            .Select(r => r.ToRecord()).FirstOrDefault();

    /// <summary>
    /// Who gets our SMS at <paramref name="number"/> (E.164): every customer an SMS notice was
    /// addressed to there, and the latest SMS notice actually sent there, which a reply from that
    /// number answers (null when none was). Reads the (recipient, channel, sent_at) index.
    /// </summary>
    public async Task<(List<string> Customers, NoticeRecord? LatestSent)> SmsRecipientAsync(string number)
    {
        var parameters = new { number, channel = Channel.Sms.ToString() };
        var customers = (await c.QueryAsync<string>(
            "SELECT DISTINCT customer_id FROM notifier_notices WHERE recipient = @number AND channel = @channel AND customer_id IS NOT NULL ORDER BY customer_id",
            parameters,
            tx)).ToList();
        var latest = (await c.QueryAsync<NoticeRow>(
            $"""
            SELECT {Columns} FROM notifier_notices
            WHERE recipient = @number AND channel = @channel AND sent_at IS NOT NULL ORDER BY sent_at DESC, notice_id DESC LIMIT 1
            """,
            parameters,
            tx)).Select(r => r.ToRecord()).SingleOrDefault();
        return (customers, latest);
    }

    /// <summary>
    /// Every customer an email notice was addressed to at <paramref name="address"/> (as written, or
    /// in lower case as SendGrid reports it). Reads the (recipient, channel, sent_at) index.
    /// </summary>
    public async Task<List<string>> EmailCustomersAsync(string address) =>
        (await c.QueryAsync<string>(
            "SELECT DISTINCT customer_id FROM notifier_notices WHERE recipient IN (@address, @key) AND channel = @channel AND customer_id IS NOT NULL ORDER BY customer_id",
            new { address, key = Receipts.EmailSuppression.KeyOf(address), channel = Channel.Email.ToString() },
            tx)).ToList();

    public async Task<List<NoticeAttempt>> AttemptsForOrderAsync(string orderId) =>
        (await c.QueryAsync<AttemptRow>(
            """
            SELECT a.notice_id, a.attempt, a.at, a.outcome, a.provider_code, a.detail
            FROM notifier_attempts a JOIN notifier_notices n ON n.notice_id = a.notice_id
            WHERE n.order_id = @orderId ORDER BY a.notice_id, a.attempt
            """,
            new { orderId },
            tx)).Select(r => r.ToAttempt()).ToList();

    /// <summary>
    /// Locks the order's notices still waiting to be sent, so a dispatcher's claim (which skips
    /// locked rows) cannot take one while newer news replaces it.
    /// </summary>
    public Task LockWaitingAsync(string orderId) =>
        c.ExecuteAsync($"SELECT notice_id FROM notifier_notices WHERE order_id = @orderId AND status IN {NoticeSql.Waiting}{dialect.ForUpdate}", new { orderId }, Transaction);

    /// <summary>The customer's notices on a channel still waiting to be sent, locked against claims.</summary>
    public async Task<List<NoticeRecord>> WaitingForCustomerAsync(string customerId, Channel channel) =>
        (await c.QueryAsync<NoticeRow>(
            $"""
            SELECT {Columns} FROM notifier_notices
            WHERE customer_id = @customerId AND channel = @channel AND status IN {NoticeSql.Waiting}{dialect.ForUpdate}
            """,
            new { customerId, channel = channel.ToString() },
            Transaction)).Select(r => r.ToRecord()).ToList();

    /// <summary>
    /// Claims due notices for sending, at most <paramref name="limits"/>[channel] per channel: those
    /// whose time has come, and ones claimed earlier whose lease ran out (their sender died).
    /// Each is a <see cref="NoticeLifecycle.Claim"/> change, fenced like any other; returns the
    /// notices as their claims left them.
    /// </summary>
    public async Task<List<NoticeRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, IReadOnlyDictionary<Channel, int> limits)
    {
        var due = new List<NoticeRecord>();
        foreach (var (channel, limit) in limits.Where(l => l.Value > 0))
        {
            due.AddRange((await c.QueryAsync<NoticeRow>(
                $"""
                SELECT {Columns} FROM notifier_notices
                WHERE channel = @channel AND {NoticeSql.Due()} AND {ItemFailures.Ready(NoticeStore.DispatchQueue, "notice_id")}
                ORDER BY scheduled_at, decided_at, notice_id LIMIT @limit{dialect.SkipLocked}
                """,
                new { channel = channel.ToString(), now = now.ToMs(), limit },
                Transaction)).Select(r => r.ToRecord()));
        }

        return await ClaimAsync(due, now, lease);
    }

    /// <summary>
    /// Claims <paramref name="notices"/> as read (a row changed since is left alone), each a
    /// <see cref="NoticeLifecycle.Claim"/> change under a lease; returns the notices as their claims left them.
    /// </summary>
    public async Task<List<NoticeRecord>> ClaimAsync(IReadOnlyCollection<NoticeRecord> notices, DateTimeOffset now, TimeSpan lease)
    {
        // Every claim is checked by the lifecycle before any row is written.
        var claims = notices.Select(n => NoticeLifecycle.Claim(n, now)).ToList();
        var claimed = new List<NoticeRecord>();
        foreach (var claim in claims)
        {
            if (await ClaimAsync(claim, now + lease))
            {
                claimed.Add(claim.After);
            }
        }

        return claimed;
    }

    /// <summary>The claim as the lifecycle made it, under a lease until <paramref name="leaseUntil"/> (the store's own part).</summary>
    private async Task<bool> ClaimAsync(NoticeChange claim, DateTimeOffset leaseUntil)
    {
        var n = claim.After;
        return await c.ExecuteAsync(
            """
            UPDATE notifier_notices SET status = @Status, attempts = @Attempts, first_attempt_at = @FirstAttemptAt, lease_until = @LeaseUntil
            WHERE notice_id = @NoticeId AND status = @ExpectedStatus AND attempts = @ExpectedAttempts
            """,
            new
            {
                Status = n.Status.ToString(),
                n.Attempts,
                FirstAttemptAt = n.FirstAttemptAt.ToMs(),
                LeaseUntil = leaseUntil.ToMs(),
                n.NoticeId,
                ExpectedStatus = claim.ExpectedStatus.ToString(),
                claim.ExpectedAttempts,
            },
            Transaction) == 1;
    }

    /// <summary>
    /// Persists what a transition returned: a new notice, or the notice's new state if the row is
    /// still as the transition expected (a settle from a claim that was taken over changes
    /// nothing), with its attempt logged. False when nothing changed.
    /// </summary>
    public async Task<bool> ApplyAsync(NoticeChange change)
    {
        if (change.Attempt is { } attempt)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO notifier_attempts (notice_id, attempt, at, outcome, provider_code, detail)
                VALUES (@NoticeId, @Attempt, @At, @Outcome, @ProviderCode, @Detail)
                ON CONFLICT DO NOTHING
                """,
                new { attempt.NoticeId, attempt.Attempt, At = attempt.At.ToMs(), attempt.Outcome, attempt.ProviderCode, attempt.Detail },
                Transaction);
        }

        var applied = change.Creates ? await InsertAsync(change.After) : await UpdateAsync(change);

        // A withdrawn notice will never be sent: its failures, parked or not, go with it.
        if (applied && change.Transition == NoticeTransition.Withdrawn)
        {
            await ItemFailures.ClearAsync(c, Transaction, NoticeStore.DispatchQueue, change.After.NoticeId);
        }

        return applied;
    }

    /// <summary>The row's new state; its text only when rewritten (a claim given back after a rewrite keeps the new text).</summary>
    private async Task<bool> UpdateAsync(NoticeChange change)
    {
        var n = change.After;
        return await c.ExecuteAsync(
            $"""
            UPDATE notifier_notices SET
                status = @Status, why = @Why, scheduled_at = @ScheduledAt, sent_at = @SentAt, attempts = @Attempts,
                first_attempt_at = @FirstAttemptAt, provider_message_id = @ProviderMessageId, provider_code = @ProviderCode
                {(change.Transition == NoticeTransition.Rewritten ? ", locale = @Locale, subject = @Subject, text = @Text, html = @Html, notes = @Notes, template = @Template" : "")}
                {(n.Status == NoticeStatus.Sending ? "" : ", lease_until = NULL")}
            WHERE notice_id = @NoticeId AND status = @ExpectedStatus AND attempts = @ExpectedAttempts
            """,
            Parameters(n, new { ExpectedStatus = change.ExpectedStatus.ToString(), change.ExpectedAttempts }),
            Transaction) == 1;
    }

    private async Task<bool> InsertAsync(NoticeRecord n) =>
        await c.ExecuteAsync(
            $"""
            INSERT INTO notifier_notices ({Columns})
            VALUES (@NoticeId, @OrderId, @EpisodeId, @Sequence, @Channel, @Kind, @Reason, @Status, @Why, @DecidedAt, @ScheduledAt, @SentAt,
                    @Attempts, @ProviderMessageId, @ProviderCode, @Recipient, @Locale, @Subject, @Text, @Html, @EstimatedDeliveryAt, @ActionRequired,
                    @CustomerId, @News, @FirstAttemptAt, @FallbackFor, @TraceParent, @TraceState, @Notes, @PredictedProbability, @Template)
            ON CONFLICT DO NOTHING
            """,
            Parameters(n),
            Transaction) == 1;

    /// <summary>The notice's columns as parameters named like its properties, and any <paramref name="more"/>.</summary>
    private static DynamicParameters Parameters(NoticeRecord n, object? more = null)
    {
        var parameters = new DynamicParameters(new
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
            FirstAttemptAt = n.FirstAttemptAt.ToMs(),
            n.FallbackFor,
            n.TraceParent,
            n.TraceState,
            n.Notes,
            n.PredictedProbability,
            n.Template,
        });
        if (more is not null)
        {
            parameters.AddDynamicParams(more);
        }

        return parameters;
    }

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
        double? predicted_probability,
        string? template)
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
            predicted_probability,
            template);
    }

    private sealed record AttemptRow(string notice_id, long attempt, long at, string outcome, string? provider_code, string? detail)
    {
        public NoticeAttempt ToAttempt() => new(notice_id, (int)attempt, UnixTime.FromMs(at), outcome, provider_code, detail);
    }
}
