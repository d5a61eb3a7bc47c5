using Proactive.ServiceDefaults.Queues;
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
            received_at BIGINT NOT NULL,
            PRIMARY KEY (source, event_id));

        CREATE TABLE notifier_orders (
            order_id TEXT PRIMARY KEY,
            last_sequence BIGINT NOT NULL);

        CREATE TABLE notifier_notices (
            notice_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            episode_id TEXT NOT NULL,
            sequence BIGINT NOT NULL,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            status TEXT NOT NULL,
            why TEXT NULL,
            decided_at BIGINT NOT NULL,
            scheduled_at BIGINT NULL,
            sent_at BIGINT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            lease_until BIGINT NULL,
            provider_message_id TEXT NULL,
            provider_code TEXT NULL,
            recipient TEXT NOT NULL,
            locale TEXT NOT NULL,
            subject TEXT NULL,
            text TEXT NOT NULL,
            html TEXT NULL,
            estimated_delivery_at BIGINT NULL,
            action_required BIGINT NOT NULL,
            UNIQUE (order_id, episode_id, channel, sequence));
        CREATE INDEX ix_notifier_notices_due ON notifier_notices (status, scheduled_at);
        CREATE INDEX ix_notifier_notices_order ON notifier_notices (order_id);

        CREATE TABLE notifier_attempts (
            notice_id TEXT NOT NULL,
            attempt BIGINT NOT NULL,
            at BIGINT NOT NULL,
            outcome TEXT NOT NULL,
            provider_code TEXT NULL,
            detail TEXT NULL,
            PRIMARY KEY (notice_id, attempt));
        """,
        """
        CREATE INDEX ix_notifier_inbox_received ON notifier_inbox (received_at);
        """,
        """
        ALTER TABLE notifier_notices ADD COLUMN customer_id TEXT NULL;
        ALTER TABLE notifier_notices ADD COLUMN news TEXT NULL;
        ALTER TABLE notifier_notices ADD COLUMN first_attempt_at BIGINT NULL;
        ALTER TABLE notifier_notices ADD COLUMN fallback_for TEXT NULL;
        ALTER TABLE notifier_notices ADD COLUMN trace_parent TEXT NULL;
        ALTER TABLE notifier_notices ADD COLUMN trace_state TEXT NULL;
        CREATE INDEX ix_notifier_notices_customer ON notifier_notices (customer_id, channel, status);

        CREATE TABLE notifier_preferences (
            customer_id TEXT PRIMARY KEY,
            channels TEXT NULL,
            locale TEXT NULL,
            time_zone TEXT NULL,
            quiet_hours_start TEXT NULL,
            quiet_hours_end TEXT NULL,
            sms_opted_out_at BIGINT NULL,
            sms_opt_out_source TEXT NULL,
            email_opted_out_at BIGINT NULL,
            email_opt_out_source TEXT NULL,
            updated_at BIGINT NOT NULL);
        """,
        """
        ALTER TABLE notifier_notices ADD COLUMN notes TEXT NULL;
        """,
        // A notice that fails in the dispatcher (or a Dapr event its handler fails on) is retried
        // and parked on its own.
        ItemFailures.Schema,
        """
        ALTER TABLE notifier_notices ADD COLUMN predicted_probability DOUBLE PRECISION NULL;
        """,
        // What the providers tell us back through their webhooks: each event once (provider,
        // event key), delivery receipts for the notices they name, customers' replies, and email
        // addresses that hard-bounced (lower case), which get no more email.
        """
        CREATE TABLE notifier_webhook_events (
            provider TEXT NOT NULL,
            event_key TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            PRIMARY KEY (provider, event_key));

        CREATE TABLE notifier_receipts (
            provider TEXT NOT NULL,
            event_key TEXT NOT NULL,
            notice_id TEXT NULL,
            channel TEXT NOT NULL,
            provider_message_id TEXT NULL,
            status TEXT NOT NULL,
            code TEXT NULL,
            detail TEXT NULL,
            occurred_at BIGINT NULL,
            received_at BIGINT NOT NULL,
            PRIMARY KEY (provider, event_key));
        CREATE INDEX ix_notifier_receipts_notice ON notifier_receipts (notice_id);
        CREATE INDEX ix_notifier_receipts_message ON notifier_receipts (provider_message_id);
        CREATE INDEX ix_notifier_notices_message ON notifier_notices (provider_message_id);
        CREATE INDEX ix_notifier_notices_recipient ON notifier_notices (recipient, channel, sent_at);

        CREATE TABLE notifier_replies (
            reply_id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            provider_message_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            sender TEXT NOT NULL,
            customer_id TEXT NULL,
            order_id TEXT NULL,
            notice_id TEXT NULL,
            body TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            UNIQUE (provider, provider_message_id));
        CREATE INDEX ix_notifier_replies_order ON notifier_replies (order_id, received_at);
        CREATE INDEX ix_notifier_replies_received ON notifier_replies (received_at, reply_id);

        CREATE TABLE notifier_email_suppressions (
            address TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            source TEXT NOT NULL,
            notice_id TEXT NULL,
            suppressed_at BIGINT NOT NULL);
        """,
        // The survey after delivery, the customers' words classified, and incidents.
        SurveyRows.Schema + VoiceRows.Schema + IncidentRows.Schema,
        // Message templates: which version wrote each notice, and the versions stored through the API.
        """
        ALTER TABLE notifier_notices ADD COLUMN template TEXT NULL;
        """ + TemplateRows.Schema,
        // An incident's affected orders a page at a time, in the order seen (the console lists them so),
        // and its causes counted from the index alone (an incident can affect tens of thousands of orders).
        """
        CREATE INDEX ix_notifier_incident_orders_seen ON notifier_incident_orders (incident_id, seen_at, episode_id);
        CREATE INDEX ix_notifier_incident_orders_cause ON notifier_incident_orders (incident_id, cause, order_id);
        """,
        // The voice summary's tallies and survey counts read from covering indexes, not the rows
        // (100,000 orders' voice and surveys: 0.5 s of row reads on SQLite, 20 ms from the index).
        """
        CREATE INDEX ix_notifier_voice_tally ON notifier_voice (received_at, sentiment, topics, reason, carrier, destination);
        CREATE INDEX ix_notifier_surveys_asked ON notifier_surveys (asked_at, notice_id, score);
        CREATE INDEX ix_notifier_surveys_cohort ON notifier_surveys (scored_at, cohort, score);
        """,
    ]);
}
