using System.Data.Common;
using Dapper;
using Proactive.Notifier.Receipts;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>The provider webhook events already seen, and the delivery receipts they brought.</summary>
public sealed class ReceiptRows
{
    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal ReceiptRows(DbConnection connection, DbTransaction? transaction) => (c, tx) = (connection, transaction);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Receipts change only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>
    /// Records the provider's event as seen; false when it already was. Called in the unit of work
    /// that applies the event, so that an event (or its replay) takes effect exactly once.
    /// </summary>
    public async Task<bool> TryMarkSeenAsync(string provider, string eventKey, DateTimeOffset now) =>
        await c.ExecuteAsync(
            "INSERT INTO notifier_webhook_events (provider, event_key, received_at) VALUES (@provider, @eventKey, @now) ON CONFLICT DO NOTHING",
            new { provider, eventKey, now = now.ToMs() },
            Transaction) == 1;

    /// <summary>Stores the receipt; false when one with its (provider, event key) already is.</summary>
    public async Task<bool> AddAsync(DeliveryReceipt r) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_receipts (provider, event_key, notice_id, channel, provider_message_id, status, code, detail, occurred_at, received_at)
            VALUES (@Provider, @EventKey, @NoticeId, @Channel, @ProviderMessageId, @Status, @Code, @Detail, @OccurredAt, @ReceivedAt)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                r.Provider,
                r.EventKey,
                r.NoticeId,
                Channel = r.Channel.ToString(),
                r.ProviderMessageId,
                r.Status,
                r.Code,
                r.Detail,
                OccurredAt = r.OccurredAt?.ToMs(),
                ReceivedAt = r.ReceivedAt.ToMs(),
            },
            Transaction) == 1;

    /// <summary>Receipts for the provider's message that named no notice we knew of when they came (a receipt can beat the record of the send).</summary>
    public async Task<List<DeliveryReceipt>> UnlinkedForMessageAsync(string providerMessageId) =>
        (await c.QueryAsync<ReceiptRow>(
            $"SELECT {Columns} FROM notifier_receipts WHERE provider_message_id = @providerMessageId AND notice_id IS NULL ORDER BY received_at, event_key",
            new { providerMessageId },
            tx)).Select(r => r.ToReceipt()).ToList();

    /// <summary>Links receipts that came before the send was recorded to their notice.</summary>
    public Task<int> LinkAsync(string providerMessageId, string noticeId) =>
        c.ExecuteAsync(
            "UPDATE notifier_receipts SET notice_id = @noticeId WHERE provider_message_id = @providerMessageId AND notice_id IS NULL",
            new { providerMessageId, noticeId },
            Transaction);

    /// <summary>The receipts linked to the notice, in the order they came.</summary>
    public async Task<List<DeliveryReceipt>> ForNoticeAsync(string noticeId) =>
        (await c.QueryAsync<ReceiptRow>(
            $"SELECT {Columns} FROM notifier_receipts WHERE notice_id = @noticeId ORDER BY received_at, event_key",
            new { noticeId },
            tx)).Select(r => r.ToReceipt()).ToList();

    /// <summary>Every receipt for the order's notices, oldest first.</summary>
    public async Task<List<DeliveryReceipt>> ForOrderAsync(string orderId) =>
        (await c.QueryAsync<ReceiptRow>(
            $"""
            SELECT {Prefixed("r.")} FROM notifier_receipts r JOIN notifier_notices n ON n.notice_id = r.notice_id
            WHERE n.order_id = @orderId ORDER BY r.received_at, r.event_key
            """,
            new { orderId },
            tx)).Select(r => r.ToReceipt()).ToList();

    private const string Columns = "provider, event_key, notice_id, channel, provider_message_id, status, code, detail, occurred_at, received_at";

    private static string Prefixed(string prefix) => string.Join(", ", Columns.Split(", ").Select(column => prefix + column));

    private sealed record ReceiptRow(
        string provider, string event_key, string? notice_id, string channel, string? provider_message_id, string status, string? code, string? detail, long? occurred_at, long received_at)
    {
        public DeliveryReceipt ToReceipt() => new(
            provider,
            event_key,
            notice_id,
            Enum.Parse<Channel>(channel),
            provider_message_id,
            status,
            code,
            detail,
            occurred_at is { } at ? UnixTime.FromMs(at) : null,
            UnixTime.FromMs(received_at));
    }
}
