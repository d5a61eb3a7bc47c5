using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Store;

internal static class TrackerSchema
{
    public static readonly SchemaMigrations Migrations = new("tracker",
    [
        """
        CREATE TABLE tracker_events (
            source TEXT NOT NULL,
            event_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            type TEXT NOT NULL,
            occurred_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (source, event_id));
        CREATE INDEX ix_tracker_events_order ON tracker_events (order_id);

        CREATE TABLE tracker_orders (
            order_id TEXT PRIMARY KEY,
            sequence BIGINT NOT NULL);

        CREATE TABLE tracker_episodes (
            episode_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            number BIGINT NOT NULL,
            reason TEXT NOT NULL,
            exception_code TEXT NULL,
            estimated_delivery_at BIGINT NULL,
            opened_at BIGINT NOT NULL,
            closed_at BIGINT NULL,
            resolution TEXT NULL,
            UNIQUE (order_id, number));

        CREATE TABLE tracker_timers (
            order_id TEXT PRIMARY KEY,
            due_at BIGINT NOT NULL);
        CREATE INDEX ix_tracker_timers_due ON tracker_timers (due_at);

        CREATE TABLE tracker_outbox (
            id {{id}},
            event_id TEXT NOT NULL UNIQUE,
            topic TEXT NOT NULL,
            type TEXT NOT NULL,
            partition_key TEXT NOT NULL,
            payload TEXT NOT NULL,
            trace_parent TEXT NULL,
            trace_state TEXT NULL,
            created_at BIGINT NOT NULL,
            published_at BIGINT NULL);
        CREATE INDEX ix_tracker_outbox_unpublished ON tracker_outbox (published_at, id);
        """,
        // A failing item of the outbox or the timers is retried and parked on its own; one order's
        // outbox rows are published in order.
        ItemFailures.Schema + "CREATE INDEX ix_tracker_outbox_order ON tracker_outbox (partition_key, id);",
        // The delivery-time model and each order's prediction.
        PredictionRows.Schema,
        // When the order's delivery was told to Notifier (DELIVERED, or RESOLVED with resolution
        // DELIVERED): once per order. An order whose episode was resolved by delivery before this
        // column existed has had its delivery told.
        """
        ALTER TABLE tracker_orders ADD COLUMN delivered_published_at BIGINT NULL;
        UPDATE tracker_orders SET delivered_published_at = (
            SELECT MAX(e.closed_at) FROM tracker_episodes e WHERE e.order_id = tracker_orders.order_id AND e.resolution = 'Delivered')
        WHERE order_id IN (SELECT order_id FROM tracker_episodes WHERE resolution = 'Delivered');
        """,
        // Every order with events has its row (an order without one is new: nothing to read of it),
        // and the row keeps the order's folded timeline (Timeline/TimelineSnapshot; null: fold again).
        """
        ALTER TABLE tracker_orders ADD COLUMN timeline TEXT NULL;
        INSERT INTO tracker_orders (order_id, sequence)
        SELECT DISTINCT order_id, 0 FROM tracker_events WHERE true
        ON CONFLICT (order_id) DO NOTHING;
        """,
        // The CX console's "Now" list: late and at-risk orders with their filter columns (WatchRows).
        WatchRows.Schema + WatchRows.Backfill,
        // An event's writer carried it into its order's snapshot (1), or did not (NULL: stored by a
        // replica of an earlier version during a rolling upgrade, by hand, or before this step):
        // the order is folded again from its events once, and its events marked (OrderBatch).
        """
        ALTER TABLE tracker_events ADD COLUMN in_snapshot SMALLINT NULL;
        CREATE INDEX ix_tracker_events_unfolded ON tracker_events (order_id) WHERE in_snapshot IS NULL;
        """,
    ]);
}
