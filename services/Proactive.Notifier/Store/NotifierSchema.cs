using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

internal static class NotifierSchema
{
    public static readonly SchemaMigrations Migrations = new("notifier",
    [
        """
        CREATE TABLE notifier_inbox (
            source TEXT NOT NULL,
            event_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (source, event_id));

        CREATE TABLE notifier_orders (
            order_id TEXT PRIMARY KEY,
            last_sequence INTEGER NOT NULL);

        CREATE TABLE notifier_notices (
            notice_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            episode_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            status TEXT NOT NULL,
            why TEXT NULL,
            decided_at INTEGER NOT NULL,
            scheduled_at INTEGER NULL,
            sent_at INTEGER NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_until INTEGER NULL,
            provider_message_id TEXT NULL,
            provider_code TEXT NULL,
            recipient TEXT NOT NULL,
            locale TEXT NOT NULL,
            subject TEXT NULL,
            text TEXT NOT NULL,
            html TEXT NULL,
            estimated_delivery_at INTEGER NULL,
            action_required INTEGER NOT NULL,
            UNIQUE (order_id, episode_id, channel, sequence));
        CREATE INDEX ix_notifier_notices_due ON notifier_notices (status, scheduled_at);
        CREATE INDEX ix_notifier_notices_order ON notifier_notices (order_id);

        CREATE TABLE notifier_attempts (
            notice_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            provider_code TEXT NULL,
            detail TEXT NULL,
            PRIMARY KEY (notice_id, attempt));
        """,
    ]);
}
