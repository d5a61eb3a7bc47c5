using System.Data.Common;
using Dapper;
using Proactive.Notifier.Incidents;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Delay signals grouped by cause, the incidents they open, the orders they affect, and their alerts.</summary>
public sealed class IncidentRows
{
    /// <summary>
    /// Signals: one per delay episode (its first confirmed news), keyed by the group it counts in.
    /// Incidents: at most one open per group (the partial unique index; replicas' sweeps also take a
    /// lock). Alerts: one row per incident and channel, claimed with a lease like a notice.
    /// </summary>
    public const string Schema = """
        CREATE TABLE notifier_incident_signals (
            episode_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            group_key TEXT NOT NULL,
            carrier TEXT NULL,
            destination TEXT NULL,
            lane TEXT NULL,
            cause TEXT NOT NULL,
            reason TEXT NOT NULL,
            exception_code TEXT NULL,
            seen_at BIGINT NOT NULL);
        CREATE INDEX ix_notifier_incident_signals_group ON notifier_incident_signals (group_key, seen_at);
        CREATE INDEX ix_notifier_incident_signals_seen ON notifier_incident_signals (seen_at);

        CREATE TABLE notifier_incidents (
            incident_id TEXT PRIMARY KEY,
            group_key TEXT NOT NULL,
            first_seen_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL,
            order_count BIGINT NOT NULL,
            opened_at BIGINT NOT NULL,
            resolved_at BIGINT NULL);
        CREATE UNIQUE INDEX ux_notifier_incidents_open ON notifier_incidents (group_key) WHERE resolved_at IS NULL;
        CREATE INDEX ix_notifier_incidents_opened ON notifier_incidents (opened_at, incident_id);

        CREATE TABLE notifier_incident_orders (
            incident_id TEXT NOT NULL,
            episode_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            exception_code TEXT NULL,
            cause TEXT NOT NULL,
            lane TEXT NULL,
            seen_at BIGINT NOT NULL,
            PRIMARY KEY (incident_id, episode_id));

        CREATE TABLE notifier_incident_alerts (
            incident_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            next_at BIGINT NOT NULL,
            lease_until BIGINT NULL,
            last_error TEXT NULL,
            sent_at BIGINT NULL,
            PRIMARY KEY (incident_id, channel));
        CREATE INDEX ix_notifier_incident_alerts_due ON notifier_incident_alerts (status, next_at);
        """;

    private const string IncidentColumns = "incident_id, group_key, first_seen_at, last_seen_at, order_count, opened_at, resolved_at";
    private const string AlertColumns = "incident_id, channel, status, attempts, next_at, lease_until, last_error, sent_at";

    private readonly DbConnection c;
    private readonly DbTransaction? tx;
    private readonly SqlDialect sql;

    internal IncidentRows(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) => (c, tx, sql) = (connection, transaction, dialect);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Incidents change only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>Serializes the incident sweep across replicas until the unit of work ends (as an order's lock does).</summary>
    public Task LockSweepAsync() => sql.LockAsync(c, Transaction, "incidents:sweep");

    /// <summary>Notes the episode's signal; false when the episode was noted before (it counts once).</summary>
    public async Task<bool> AddSignalAsync(IncidentSignal s) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_incident_signals (episode_id, order_id, group_key, carrier, destination, lane, cause, reason, exception_code, seen_at)
            VALUES (@EpisodeId, @OrderId, @GroupKey, @Carrier, @Destination, @Lane, @Cause, @Reason, @ExceptionCode, @SeenAt)
            ON CONFLICT DO NOTHING
            """,
            new { s.EpisodeId, s.OrderId, s.GroupKey, s.Carrier, s.Destination, s.Lane, s.Cause, s.Reason, s.ExceptionCode, SeenAt = s.SeenAt.ToMs() },
            Transaction) == 1;

    /// <summary>Forgets signals seen before <paramref name="cutoff"/>.</summary>
    public Task<int> PruneSignalsAsync(DateTimeOffset cutoff) =>
        c.ExecuteAsync("DELETE FROM notifier_incident_signals WHERE seen_at < @cutoff", new { cutoff = cutoff.ToMs() }, Transaction);

    /// <summary>Per group, the distinct orders with a signal seen after <paramref name="since"/>.</summary>
    public async Task<Dictionary<string, int>> OrdersPerGroupAsync(DateTimeOffset since) =>
        (await c.QueryAsync<(string GroupKey, long Orders)>(
            "SELECT group_key, COUNT(DISTINCT order_id) FROM notifier_incident_signals WHERE seen_at > @since GROUP BY group_key",
            new { since = since.ToMs() },
            Transaction)).ToDictionary(g => g.GroupKey, g => (int)g.Orders);

    public async Task<List<Incident>> OpenAsync() =>
        (await c.QueryAsync<IncidentRow>($"SELECT {IncidentColumns} FROM notifier_incidents WHERE resolved_at IS NULL", transaction: tx)).Select(r => r.ToIncident()).ToList();

    /// <summary>Opens an incident for the group; false when one is open already (another replica's).</summary>
    public async Task<bool> OpenAsync(string incidentId, string groupKey, DateTimeOffset now) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_incidents (incident_id, group_key, first_seen_at, last_seen_at, order_count, opened_at, resolved_at)
            VALUES (@incidentId, @groupKey, @now, @now, 0, @now, NULL)
            ON CONFLICT DO NOTHING
            """,
            new { incidentId, groupKey, now = now.ToMs() },
            Transaction) == 1;

    /// <summary>
    /// Attaches the group's signals seen after <paramref name="since"/> to the incident (each episode
    /// once) and brings its first/last seen and order count up to date; returns the orders attached now.
    /// </summary>
    public async Task<int> AttachAsync(string incidentId, string groupKey, DateTimeOffset since)
    {
        var attached = await c.ExecuteAsync(
            """
            INSERT INTO notifier_incident_orders (incident_id, episode_id, order_id, reason, exception_code, cause, lane, seen_at)
            SELECT @incidentId, episode_id, order_id, reason, exception_code, cause, lane, seen_at
            FROM notifier_incident_signals WHERE group_key = @groupKey AND seen_at > @since
            ON CONFLICT DO NOTHING
            """,
            new { incidentId, groupKey, since = since.ToMs() },
            Transaction);
        await c.ExecuteAsync(
            """
            UPDATE notifier_incidents SET
                first_seen_at = COALESCE((SELECT MIN(seen_at) FROM notifier_incident_orders o WHERE o.incident_id = @incidentId), first_seen_at),
                last_seen_at = COALESCE((SELECT MAX(seen_at) FROM notifier_incident_orders o WHERE o.incident_id = @incidentId), last_seen_at),
                order_count = (SELECT COUNT(DISTINCT order_id) FROM notifier_incident_orders o WHERE o.incident_id = @incidentId)
            WHERE incident_id = @incidentId
            """,
            new { incidentId },
            Transaction);
        return attached;
    }

    public Task ResolveAsync(string incidentId, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE notifier_incidents SET resolved_at = @now WHERE incident_id = @incidentId AND resolved_at IS NULL", new { incidentId, now = now.ToMs() }, Transaction);

    /// <summary>The incident's alert on <paramref name="channel"/>, due now; once per incident and channel.</summary>
    public Task AddAlertAsync(string incidentId, string channel, DateTimeOffset now) =>
        c.ExecuteAsync(
            $"""
            INSERT INTO notifier_incident_alerts ({AlertColumns})
            VALUES (@incidentId, @channel, '{IncidentAlert.Pending}', 0, @now, NULL, NULL, NULL)
            ON CONFLICT DO NOTHING
            """,
            new { incidentId, channel, now = now.ToMs() },
            Transaction);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due alerts (pending ones whose time has come, and ones
    /// whose sender's lease ran out) for <paramref name="lease"/>; each claim counts an attempt.
    /// </summary>
    public async Task<List<IncidentAlert>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit)
    {
        var due = (await c.QueryAsync<AlertRow>(
            $"""
            SELECT {AlertColumns} FROM notifier_incident_alerts
            WHERE (status = '{IncidentAlert.Pending}' AND next_at <= @now) OR (status = '{IncidentAlert.Sending}' AND lease_until <= @now)
            ORDER BY next_at LIMIT @limit{sql.SkipLocked}
            """,
            new { now = now.ToMs(), limit },
            Transaction)).Select(r => r.ToAlert()).ToList();
        var claimed = new List<IncidentAlert>();
        foreach (var alert in due)
        {
            var changed = await c.ExecuteAsync(
                $"""
                UPDATE notifier_incident_alerts SET status = '{IncidentAlert.Sending}', attempts = attempts + 1, lease_until = @leaseUntil
                WHERE incident_id = @IncidentId AND channel = @Channel AND attempts = @Attempts AND status IN ('{IncidentAlert.Pending}', '{IncidentAlert.Sending}')
                """,
                new { alert.IncidentId, alert.Channel, alert.Attempts, leaseUntil = (now + lease).ToMs() },
                Transaction);
            if (changed == 1)
            {
                claimed.Add(alert with { Status = IncidentAlert.Sending, Attempts = alert.Attempts + 1 });
            }
        }

        return claimed;
    }

    /// <summary>
    /// Settles a claimed alert (sent, failed, or pending again at <paramref name="nextAt"/>) if it is
    /// still the claim the sender made; false when another sender took it over meanwhile.
    /// </summary>
    public async Task<bool> SettleAsync(IncidentAlert claimed, string status, DateTimeOffset now, DateTimeOffset? nextAt, string? error) =>
        await c.ExecuteAsync(
            $"""
            UPDATE notifier_incident_alerts SET status = @status, lease_until = NULL, last_error = @error, next_at = @nextAt,
                sent_at = {(status == IncidentAlert.Sent ? "@now" : "sent_at")}
            WHERE incident_id = @IncidentId AND channel = @Channel AND attempts = @Attempts AND status = '{IncidentAlert.Sending}'
            """,
            new { claimed.IncidentId, claimed.Channel, claimed.Attempts, status, error, nextAt = (nextAt ?? now).ToMs(), now = now.ToMs() },
            Transaction) == 1;

    /// <summary>The next instant an alert falls due (pending, or a lease running out).</summary>
    public Task<long?> NextAlertDueAsync() =>
        c.ExecuteScalarAsync<long?>(
            $"""
            SELECT MIN(CASE WHEN status = '{IncidentAlert.Pending}' THEN next_at ELSE lease_until END) FROM notifier_incident_alerts
            WHERE status IN ('{IncidentAlert.Pending}', '{IncidentAlert.Sending}')
            """,
            transaction: tx);

    public async Task<Incident?> FindAsync(string incidentId) =>
        (await c.QueryAsync<IncidentRow>($"SELECT {IncidentColumns} FROM notifier_incidents WHERE incident_id = @incidentId", new { incidentId }, tx))
            .Select(r => r.ToIncident()).SingleOrDefault();

    /// <summary>
    /// At most <paramref name="limit"/> incidents, newest opened first, open or resolved only when
    /// <paramref name="open"/> says so, starting after <paramref name="after"/>.
    /// </summary>
    public async Task<List<Incident>> PageAsync(bool? open, IncidentCursor? after, int limit) =>
        (await c.QueryAsync<IncidentRow>(
            $"""
            SELECT {IncidentColumns} FROM notifier_incidents
            WHERE 1 = 1{open switch { true => " AND resolved_at IS NULL", false => " AND resolved_at IS NOT NULL", null => "" }}
            {(after is null ? "" : " AND (opened_at < @afterAt OR (opened_at = @afterAt AND incident_id < @afterId))")}
            ORDER BY opened_at DESC, incident_id DESC LIMIT @limit
            """,
            new { afterAt = after?.OpenedAt.ToMs() ?? 0, afterId = after?.IncidentId ?? "", limit },
            tx)).Select(r => r.ToIncident()).ToList();

    public Task<long> CountOpenAsync() =>
        c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM notifier_incidents WHERE resolved_at IS NULL", transaction: tx);

    /// <summary>The alerts of these incidents.</summary>
    public async Task<List<IncidentAlert>> AlertsAsync(IReadOnlyList<string> incidentIds) =>
        incidentIds.Count == 0
            ? []
            : (await c.QueryAsync<AlertRow>(
                $"SELECT {AlertColumns} FROM notifier_incident_alerts WHERE incident_id {sql.AnyOf("ids")} ORDER BY incident_id, channel",
                new { ids = sql.List(incidentIds) },
                tx)).Select(r => r.ToAlert()).ToList();

    /// <summary>Per incident, its causes by distinct orders.</summary>
    public async Task<List<(string IncidentId, string Cause, int Orders)>> CausesAsync(IReadOnlyList<string> incidentIds) =>
        incidentIds.Count == 0
            ? []
            : (await c.QueryAsync<(string IncidentId, string Cause, long Orders)>(
                $"SELECT incident_id, cause, COUNT(DISTINCT order_id) FROM notifier_incident_orders WHERE incident_id {sql.AnyOf("ids")} GROUP BY incident_id, cause",
                new { ids = sql.List(incidentIds) },
                tx)).Select(r => (r.IncidentId, r.Cause, (int)r.Orders)).ToList();

    /// <summary>
    /// The orders the incident affects, in the order their delays were seen: all of them, or at most
    /// <paramref name="limit"/> after <paramref name="after"/> (keyset on ix_notifier_incident_orders_seen).
    /// </summary>
    public async Task<List<AffectedOrder>> OrdersAsync(string incidentId, AffectedOrderCursor? after = null, int? limit = null) =>
        (await c.QueryAsync<OrderRow>(
            "SELECT order_id, episode_id, reason, exception_code, cause, lane, seen_at FROM notifier_incident_orders WHERE incident_id = @incidentId"
                + (after is null ? "" : " AND (seen_at > @afterAt OR (seen_at = @afterAt AND episode_id > @afterEpisode))")
                + " ORDER BY seen_at, episode_id"
                + (limit is { } n ? $" LIMIT {Math.Max(n, 0)}" : ""),
            new { incidentId, afterAt = after?.SeenAt.ToMs() ?? 0, afterEpisode = after?.EpisodeId ?? "" },
            tx)).Select(r => new AffectedOrder(r.order_id, r.episode_id, r.reason, r.exception_code, r.cause, r.lane, UnixTime.FromMs(r.seen_at))).ToList();

    private sealed record IncidentRow(string incident_id, string group_key, long first_seen_at, long last_seen_at, long order_count, long opened_at, long? resolved_at)
    {
        public Incident ToIncident() => new(
            incident_id, group_key, UnixTime.FromMs(first_seen_at), UnixTime.FromMs(last_seen_at), (int)order_count, UnixTime.FromMs(opened_at), UnixTime.FromMs(resolved_at));
    }

    private sealed record AlertRow(string incident_id, string channel, string status, long attempts, long next_at, long? lease_until, string? last_error, long? sent_at)
    {
        public IncidentAlert ToAlert() => new(incident_id, channel, status, (int)attempts, UnixTime.FromMs(next_at), last_error, UnixTime.FromMs(sent_at));
    }

    private sealed record OrderRow(string order_id, string episode_id, string reason, string? exception_code, string cause, string? lane, long seen_at);
}
