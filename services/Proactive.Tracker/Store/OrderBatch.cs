using System.Data.Common;
using Dapper;
using Proactive.ServiceDefaults.Queues;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;
using Proactive.Tracker.Publishing;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker.Store;

/// <summary>
/// One transaction over many orders, their locks held: the batch's events are stored in one
/// statement, the orders' state is read in one round trip, and what their evaluations write is kept
/// here and written, statement per table, just before the commit. What an order reads through its
/// <see cref="OrderTransaction"/> includes what it wrote before in the same transaction.
/// </summary>
public sealed class OrderBatch
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;
    private readonly SqlDialect dialect;
    private readonly Dictionary<string, OrderState> orders = new(StringComparer.Ordinal);

    // Orders' states read in the round trip of the insert (PostgreSQL intake), for the first LoadAsync.
    private readonly Dictionary<string, OrderState> prefetched = new(StringComparer.Ordinal);

    // Orders of the events this batch stored: each must be folded (loaded) before the commit.
    private readonly HashSet<string> storedFor = new(StringComparer.Ordinal);

    internal OrderBatch(DbConnection connection, DbTransaction transaction, SqlDialect dialect)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.dialect = dialect;
    }

    private bool IsPostgres => dialect == SqlDialect.Postgres;

    /// <summary>The view of one order in this transaction.</summary>
    public OrderTransaction For(string orderId) => new(connection, transaction, this);

    /// <summary>
    /// Takes the locks of the events' orders (see <see cref="SqlDialect.LockAllAsync"/>), then stores
    /// the events whose (source, id) is not stored yet, in one statement (on PostgreSQL, locks and
    /// insert in one round trip); returns those that were new. The events must have distinct
    /// (source, id). Each is stored as carried into its order's snapshot (in_snapshot), so the
    /// caller must load every order of a new event (<see cref="LoadAsync"/>, which folds it in)
    /// before the commit: <see cref="CheckEveryStoredEventFolded"/> says so.
    /// </summary>
    public async Task<IReadOnlySet<(string Source, string Id)>> LockAndAddEventsAsync(IReadOnlyList<InboundEvent> events, DateTimeOffset now)
    {
        var added = await AddEventsAsync(events, now);
        storedFor.UnionWith(events.Where(e => added.Contains((e.Source, e.Id))).Select(e => e.OrderId));
        return added;
    }

    /// <summary>
    /// Throws unless every order of an event this batch stored was loaded: an event marked as in its
    /// order's snapshot must be in it, or no later batch would fold it in.
    /// </summary>
    public void CheckEveryStoredEventFolded()
    {
        if (storedFor.FirstOrDefault(id => !orders.TryGetValue(id, out var state) || !state.Loaded) is { } missed)
        {
            throw new InvalidOperationException($"An event of order '{missed}' was stored without its order being folded in the same transaction.");
        }
    }

    private async Task<IReadOnlySet<(string Source, string Id)>> AddEventsAsync(IReadOnlyList<InboundEvent> events, DateTimeOffset now)
    {
        var added = new HashSet<(string, string)>();
        if (events.Count == 0)
        {
            return added;
        }

        var payloads = events.Select(StoredPayload.Of).ToArray();
        if (IsPostgres)
        {
            var orderIds = events.Select(e => e.OrderId).Distinct(StringComparer.Ordinal).ToArray();
            // The intake reads the orders' states next: in the same round trip, after the insert.
            using var reader = await connection.QueryMultipleAsync(
                dialect.LockAllStatement("lockKeys") + ";\n" +
                """
                INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload, in_snapshot)
                SELECT *, 1 FROM unnest(@sources, @ids, @orders, @types, @occurred, @received, @payloads)
                ON CONFLICT (source, event_id) DO NOTHING
                RETURNING source, event_id;
                """ + StatesSql("lockKeys"),
                new
                {
                    lockKeys = orderIds,
                    sources = events.Select(e => e.Source).ToArray(),
                    ids = events.Select(e => e.Id).ToArray(),
                    orders = events.Select(e => e.OrderId).ToArray(),
                    types = events.Select(e => e.Type).ToArray(),
                    occurred = events.Select(e => e.OccurredAt.ToMs()).ToArray(),
                    received = Enumerable.Repeat(now.ToMs(), events.Count).ToArray(),
                    payloads,
                },
                transaction);
            await reader.ReadAsync();
            added.UnionWith(await reader.ReadAsync<(string Source, string Id)>());
            foreach (var id in orderIds)
            {
                prefetched[id] = new OrderState();
            }

            await ReadStatesAsync(reader, prefetched);
            return added;
        }

        // SQLite runs in this process: one prepared statement (the writer's, kept), executed per row, costs no round trip.
        var insert = PreparedCommands.For(
            connection,
            transaction,
            """
            INSERT INTO tracker_events (source, event_id, order_id, type, occurred_at, received_at, payload, in_snapshot)
            VALUES ($source, $id, $order, $type, $occurred, $received, $payload, 1)
            ON CONFLICT (source, event_id) DO NOTHING
            """);
        insert.Set("$received", now.ToMs());
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            insert.Set("$source", e.Source);
            insert.Set("$id", e.Id);
            insert.Set("$order", e.OrderId);
            insert.Set("$type", e.Type);
            insert.Set("$occurred", e.OccurredAt.ToMs());
            insert.Set("$payload", payloads[i]);
            if (await insert.ExecuteNonQueryAsync() == 1)
            {
                added.Add((e.Source, e.Id));
            }
        }

        return added;
    }

    /// <summary>
    /// Reads what the orders' evaluations need — their events, episodes, predictions and sequence —
    /// in one round trip, and a second for the events of orders seen before. <paramref name="known"/>
    /// are events in memory already (just stored): their stored payloads are not parsed again.
    /// </summary>
    public async Task LoadAsync(IReadOnlyCollection<string> orderIds, IEnumerable<InboundEvent> known)
    {
        if (orderIds.Count == 0)
        {
            return;
        }

        if (orders.Values.Any(o => o.Pending))
        {
            // What was written without being read first goes to the store, so the reading sees it.
            await FlushAsync();
        }

        var inMemory = known.ToDictionary(e => (e.Source, e.Id));
        var any = dialect.AnyOf("orders");
        var loading = orderIds.ToArray();
        var reading = new List<string>(loading.Length);
        foreach (var id in loading)
        {
            if (prefetched.Remove(id, out var read))
            {
                orders[id] = read;
            }
            else
            {
                orders[id] = new OrderState();
                reading.Add(id);
            }
        }

        // What was read with the insert holds for this first load only.
        prefetched.Clear();
        if (reading.Count > 0 && PreparedCommands.Keeps(connection))
        {
            var read = PreparedCommands.For(connection, transaction, StatesSql("orders"));
            read.Set("@orders", dialect.List(reading));
            await using var reader = await read.ExecuteReaderAsync();
            await ReadStatesAsync(reader, orders);
        }
        else if (reading.Count > 0)
        {
            using var reader = await connection.QueryMultipleAsync(StatesSql("orders"), new { orders = dialect.List(reading) }, transaction);
            await ReadStatesAsync(reader, orders);
        }

        foreach (var id in loading)
        {
            var state = orders[id];
            state.MayBeWatched = state.Episodes.Any(e => e.IsOpen) || state.Prediction is { RaisedAt: not null, ClosedAt: null };
        }

        // An order Tracker never saw has no row (every order evaluated gets one, and the migration
        // gave one to every order stored before): its events are those just stored, in memory. An
        // order seen before carries its snapshot forward by the new events, a late scan or
        // cancellation included (TimelineState.TryAppend), unless another of them is older than
        // what it folds (or the snapshot is missing, unreadable, of another format, or without the
        // shipments' keys a late scan needs): then it is folded again from all its stored events.
        // So it is too when it has events that no snapshot holds (in_snapshot NULL): stored by a
        // replica of an earlier version (during a rolling upgrade), by hand, or before that column
        // existed; they are marked at the flush.
        var fresh = inMemory.Values.ToLookup(e => e.OrderId, StringComparer.Ordinal);
        var refold = new List<string>();
        foreach (var id in loading)
        {
            var state = orders[id];
            var start = state.Known ? TimelineSnapshot.Read(state.StoredTimeline) : TimelineState.Start(id);
            if (!state.HasEventsOutsideSnapshot && start is not null && start.Timeline.OrderId == id && start.TryAppend([.. fresh[id]], out var next))
            {
                state.Timeline = next;
                state.RowChanged |= !ReferenceEquals(next, start) || !state.Known;
            }
            else
            {
                refold.Add(id);
            }
        }

        if (refold.Count > 0)
        {
            var rows = await connection.QueryAsync<TrackerStore.EventRow>(
                $"SELECT source, event_id, type, order_id, occurred_at, payload FROM tracker_events WHERE order_id {any}",
                new { orders = dialect.List(refold) },
                transaction);
            var stored = rows.ToLookup(r => r.order_id, StringComparer.Ordinal);
            foreach (var id in refold)
            {
                orders[id].Timeline = TimelineState.Fold(
                    id, stored[id].Select(row => inMemory.TryGetValue((row.source, row.event_id), out var e) ? TimelineState.AsStored(e) : TrackerStore.ToEvent(row)));
                orders[id].RowChanged = true;
            }
        }

        foreach (var state in orders.Values)
        {
            state.Loaded = true;
        }
    }

    /// <summary>
    /// What <see cref="LoadAsync"/> reads of the orders in list parameter @<paramref name="parameter"/>, four results.
    /// The last, the orders with events outside their snapshot, is looked up order by order in the
    /// partial index of those events (<see cref="SqlDialect.EachOf"/>): with "order_id = ANY(…)"
    /// PostgreSQL may scan a young table whole, having no statistics of it yet.
    /// </summary>
    private string StatesSql(string parameter)
    {
        var any = dialect.AnyOf(parameter);
        return $"""
            SELECT * FROM tracker_episodes WHERE order_id {any} ORDER BY order_id, number;
            SELECT * FROM tracker_predictions WHERE order_id {any};
            SELECT order_id, sequence, delivered_published_at, timeline FROM tracker_orders WHERE order_id {any};
            SELECT k.id FROM {dialect.EachOf(parameter, "k")}
            WHERE EXISTS (SELECT 1 FROM tracker_events e WHERE e.order_id = k.id AND e.in_snapshot IS NULL)
            """;
    }

    /// <summary>Reads the four results of <see cref="StatesSql"/> into <paramref name="into"/>, which holds a state for each order read.</summary>
    private static async Task ReadStatesAsync(SqlMapper.GridReader reader, Dictionary<string, OrderState> into) =>
        Fill(
            into,
            await reader.ReadAsync<TrackerStore.EpisodeRow>(),
            await reader.ReadAsync<PredictionRows.Row>(),
            await reader.ReadAsync<(string OrderId, long Sequence, long? DeliveredPublishedAt, string? Timeline)>(),
            await reader.ReadAsync<string>());

    /// <summary>The same, from a kept command's reader (SQLite's writer).</summary>
    private static async Task ReadStatesAsync(DbDataReader reader, Dictionary<string, OrderState> into) =>
        Fill(
            into,
            await RowsAsync<TrackerStore.EpisodeRow>(reader),
            await RowsAsync<PredictionRows.Row>(reader),
            await RowsAsync<(string OrderId, long Sequence, long? DeliveredPublishedAt, string? Timeline)>(reader),
            await RowsAsync(reader, r => r.GetString(0)));

    /// <summary>The rows of the reader's current result, mapped as Dapper maps them (or by <paramref name="parse"/>); the reader moves to its next result.</summary>
    private static async Task<List<T>> RowsAsync<T>(DbDataReader reader, Func<DbDataReader, T>? parse = null)
    {
        parse ??= reader.GetRowParser<T>();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(parse(reader));
        }

        await reader.NextResultAsync();
        return rows;
    }

    private static void Fill(
        Dictionary<string, OrderState> into,
        IEnumerable<TrackerStore.EpisodeRow> episodes,
        IEnumerable<PredictionRows.Row> predictions,
        IEnumerable<(string OrderId, long Sequence, long? DeliveredPublishedAt, string? Timeline)> orderRows,
        IEnumerable<string> outsideSnapshot)
    {
        foreach (var row in episodes)
        {
            into[row.order_id].Episodes.Add(TrackerStore.ToEpisode(row));
        }

        foreach (var row in predictions)
        {
            into[row.order_id].Prediction = PredictionRows.ToPrediction(row);
        }

        foreach (var row in orderRows)
        {
            var state = into[row.OrderId];
            state.Sequence = row.Sequence;
            state.DeliveredPublishedAt = row.DeliveredPublishedAt;
            state.StoredTimeline = row.Timeline;
            state.Known = true;
        }

        foreach (var orderId in outsideSnapshot)
        {
            into[orderId].HasEventsOutsideSnapshot = true;
        }
    }

    /// <summary>
    /// Writes what the evaluations left here; the caller commits next. On PostgreSQL the timers,
    /// timer failures and order rows go in one round trip (one command of several statements).
    /// </summary>
    public async Task FlushAsync()
    {
        prefetched.Clear();
        var timers = orders.Where(o => o.Value.TimerSet).ToList();
        var dueTimers = timers.Where(t => t.Value.TimerDueAt is not null).ToList();
        var cancelledTimers = timers.Where(t => t.Value.TimerDueAt is null).Select(t => t.Key).ToArray();
        var forgotten = orders.Where(o => o.Value.ForgetTimerFailures).Select(o => o.Key).ToArray();
        var changedOrders = orders.Where(o => o.Value.RowChanged).ToList();
        var statements = new List<string>();
        var parameters = new Dictionary<string, object?>();
        if (dueTimers.Count > 0)
        {
            if (IsPostgres)
            {
                statements.Add(
                    """
                    INSERT INTO tracker_timers (order_id, due_at) SELECT * FROM unnest(@timerIds, @timerDues)
                    ON CONFLICT (order_id) DO UPDATE SET due_at = excluded.due_at
                    """);
                parameters.Add("timerIds", dueTimers.Select(t => t.Key).ToArray());
                parameters.Add("timerDues", dueTimers.Select(t => t.Value.TimerDueAt!.Value).ToArray());
            }
            else
            {
                await connection.ExecuteEachKeptAsync(
                    """
                    INSERT INTO tracker_timers (order_id, due_at) VALUES (@Key, @Due)
                    ON CONFLICT (order_id) DO UPDATE SET due_at = excluded.due_at
                    """,
                    dueTimers.Select(t => new { t.Key, Due = t.Value.TimerDueAt!.Value }),
                    transaction);
            }
        }

        if (cancelledTimers.Length > 0)
        {
            statements.Add($"DELETE FROM tracker_timers WHERE order_id {dialect.AnyOf("cancelledTimers")}");
            parameters.Add("cancelledTimers", dialect.List(cancelledTimers));
        }

        if (forgotten.Length > 0)
        {
            statements.Add(ItemFailures.ClearStatement(dialect, "failureQueue", "forgotten"));
            parameters.Add("failureQueue", Timers.DueTimerSweep.Queue);
            parameters.Add("forgotten", dialect.List(forgotten));
        }

        if (changedOrders.Count > 0)
        {
            var ids = changedOrders.Select(o => o.Key).ToArray();
            var sequences = changedOrders.Select(o => o.Value.Sequence).ToArray();
            var delivered = changedOrders.Select(o => o.Value.DeliveredPublishedAt).ToArray();
            var timelines = changedOrders.Select(o => o.Value.Timeline is { } t ? TimelineSnapshot.Write(t) : null).ToArray();
            if (IsPostgres)
            {
                statements.Add(
                    """
                    INSERT INTO tracker_orders (order_id, sequence, delivered_published_at, timeline)
                    SELECT * FROM unnest(@orderIds, @sequences, @delivered, @timelines)
                    ON CONFLICT (order_id) DO UPDATE SET sequence = excluded.sequence, delivered_published_at = excluded.delivered_published_at,
                        timeline = COALESCE(excluded.timeline, tracker_orders.timeline)
                    """);
                parameters.Add("orderIds", ids);
                parameters.Add("sequences", sequences);
                parameters.Add("delivered", delivered);
                parameters.Add("timelines", timelines);
            }
            else
            {
                await connection.ExecuteEachKeptAsync(
                    """
                    INSERT INTO tracker_orders (order_id, sequence, delivered_published_at, timeline) VALUES (@Id, @Sequence, @Delivered, @Timeline)
                    ON CONFLICT (order_id) DO UPDATE SET sequence = excluded.sequence, delivered_published_at = excluded.delivered_published_at,
                        timeline = COALESCE(excluded.timeline, tracker_orders.timeline)
                    """,
                    ids.Select((id, i) => new { Id = id, Sequence = sequences[i], Delivered = delivered[i], Timeline = timelines[i] }),
                    transaction);
            }
        }

        // Orders read with events outside their snapshot were folded again (LoadAsync): their rows,
        // written above, now fold every event they have.
        var unmarked = orders.Where(o => o.Value.HasEventsOutsideSnapshot).Select(o => o.Key).ToArray();
        if (unmarked.Length > 0)
        {
            statements.Add($"UPDATE tracker_events SET in_snapshot = 1 WHERE in_snapshot IS NULL AND order_id {dialect.AnyOf("unmarked")}");
            parameters.Add("unmarked", dialect.List(unmarked));
            foreach (var id in unmarked)
            {
                orders[id].HasEventsOutsideSnapshot = false;
            }
        }

        if (statements.Count > 0)
        {
            await connection.ExecuteKeptAsync(string.Join(";\n", statements), parameters, transaction);
        }

        foreach (var episode in orders.Values.SelectMany(o => o.SavedEpisodes))
        {
            await TrackerStore.SaveEpisodeAsync(connection, transaction, episode);
        }

        foreach (var (message, at) in orders.Values.SelectMany(o => o.Outbox))
        {
            await TrackerStore.AddToOutboxAsync(connection, transaction, message, at);
        }

        foreach (var prediction in orders.Values.Where(o => o.SavedPrediction).Select(o => o.Prediction!))
        {
            await PredictionRows.SaveAsync(connection, transaction, prediction);
        }

        // Most orders are neither late nor at risk, before or after: they cost no statement here.
        var watched = orders
            .Where(o => o.Value.RowChanged || o.Value.SavedPrediction || o.Value.SavedEpisodes.Count > 0)
            .Select(o => (Id: o.Key, State: o.Value, Row: WatchRows.Of(o.Key, o.Value.Timeline?.Timeline, o.Value.Episodes, o.Value.Prediction)))
            .Where(o => o.Row is not null || o.State.MayBeWatched)
            .ToList();
        if (watched.Count > 0)
        {
            await WatchRows.SaveAsync(connection, transaction, dialect, [.. watched.Select(o => o.Id)], [.. watched.Select(o => o.Row).OfType<WatchRow>()]);
            foreach (var (_, state, row) in watched)
            {
                state.MayBeWatched = row is not null;
            }
        }

        foreach (var state in orders.Values)
        {
            state.Written();
        }
    }

    internal OrderState StateOf(string orderId)
    {
        if (!orders.TryGetValue(orderId, out var state))
        {
            state = new OrderState();
            orders[orderId] = state;
        }

        return state;
    }

    internal async Task<OrderState> LoadedStateOf(string orderId)
    {
        if (orders.TryGetValue(orderId, out var state) && state.Loaded)
        {
            return state;
        }

        await LoadAsync([orderId], []);
        return orders[orderId];
    }

    /// <summary>One order in the batch: what was read of it, and what its evaluation wrote.</summary>
    internal sealed class OrderState
    {
        public bool Loaded { get; set; }

        /// <summary>
        /// The order may have a <c>tracker_watch</c> row: it had an open episode or an open, raised
        /// prediction when read, or its row was written since, or it was not read (not known).
        /// </summary>
        public bool MayBeWatched { get; set; } = true;

        /// <summary>The order has its row (Tracker evaluated it before).</summary>
        public bool Known { get; set; }

        /// <summary>The order's folded timeline, with the new events of the batch.</summary>
        public TimelineState? Timeline { get; set; }

        /// <summary>Some of the order's stored events are in no snapshot (see <see cref="LoadAsync"/>).</summary>
        public bool HasEventsOutsideSnapshot { get; set; }

        /// <summary>The snapshot as read from the order's row.</summary>
        public string? StoredTimeline { get; set; }

        public List<DelayEpisode> Episodes { get; } = [];

        public OrderPrediction? Prediction { get; set; }

        public bool SavedPrediction { get; set; }

        public long Sequence { get; set; }

        public long? DeliveredPublishedAt { get; set; }

        public bool RowChanged { get; set; }

        public bool TimerSet { get; private set; }

        public long? TimerDueAt { get; private set; }

        public bool ForgetTimerFailures { get; set; }

        public List<DelayEpisode> SavedEpisodes { get; } = [];

        public List<(OutgoingEvent Message, DateTimeOffset At)> Outbox { get; } = [];

        public void SetTimer(DateTimeOffset? dueAt)
        {
            TimerSet = true;
            TimerDueAt = dueAt?.ToUnixTimeMilliseconds();
        }

        public void SaveEpisode(DelayEpisode episode)
        {
            var at = Episodes.FindIndex(e => e.EpisodeId == episode.EpisodeId);
            if (at >= 0)
            {
                Episodes[at] = episode;
            }
            else
            {
                Episodes.Add(episode);
                Episodes.Sort((a, b) => a.Number.CompareTo(b.Number));
            }

            SavedEpisodes.RemoveAll(e => e.EpisodeId == episode.EpisodeId);
            SavedEpisodes.Add(episode);
        }

        public bool Pending => SavedPrediction || RowChanged || TimerSet || ForgetTimerFailures || SavedEpisodes.Count > 0 || Outbox.Count > 0;

        /// <summary>After a flush: nothing is pending any more (the state read stays valid in this transaction).</summary>
        public void Written()
        {
            SavedPrediction = false;
            RowChanged = false;
            TimerSet = false;
            ForgetTimerFailures = false;
            SavedEpisodes.Clear();
            Outbox.Clear();
        }
    }
}
