using System.Data.Common;
using Dapper;
using Proactive.Notifier.Replies;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Customers' replies (table notifier_replies), read back per order and in the order they came.</summary>
public sealed class ReplyRows
{
    private const string Columns = "reply_id, provider, provider_message_id, channel, sender, customer_id, order_id, notice_id, body, received_at";

    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal ReplyRows(DbConnection connection, DbTransaction? transaction) => (c, tx) = (connection, transaction);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Replies are stored only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>Stores the reply; false when the provider's message is already stored.</summary>
    public async Task<bool> AddAsync(CustomerReply r) =>
        await c.ExecuteAsync(
            $"""
            INSERT INTO notifier_replies ({Columns})
            VALUES (@ReplyId, @Provider, @ProviderMessageId, @Channel, @Sender, @CustomerId, @OrderId, @NoticeId, @Body, @ReceivedAt)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                r.ReplyId,
                r.Provider,
                r.ProviderMessageId,
                Channel = r.Channel.ToString(),
                r.Sender,
                r.CustomerId,
                r.OrderId,
                r.NoticeId,
                r.Body,
                ReceivedAt = r.ReceivedAt.ToMs(),
            },
            Transaction) == 1;

    /// <summary>The replies that answer the order's notices, oldest first.</summary>
    public async Task<List<CustomerReply>> ForOrderAsync(string orderId) =>
        (await c.QueryAsync<ReplyRow>(
            $"SELECT {Columns} FROM notifier_replies WHERE order_id = @orderId ORDER BY received_at, reply_id",
            new { orderId },
            tx)).Select(r => r.ToReply()).ToList();

    /// <summary>
    /// At most <paramref name="limit"/> replies received at or after <paramref name="since"/>, oldest
    /// first, starting after <paramref name="after"/> (the end of the previous page) when given.
    /// </summary>
    public async Task<List<CustomerReply>> SinceAsync(DateTimeOffset since, ReplyCursor? after, int limit) =>
        (await c.QueryAsync<ReplyRow>(
            $"""
            SELECT {Columns} FROM notifier_replies
            WHERE received_at >= @since{(after is null ? "" : " AND (received_at > @afterAt OR (received_at = @afterAt AND reply_id > @afterId))")}
            ORDER BY received_at, reply_id LIMIT @limit
            """,
            new { since = since.ToMs(), afterAt = after?.ReceivedAt.ToMs() ?? 0, afterId = after?.ReplyId ?? "", limit },
            tx)).Select(r => r.ToReply()).ToList();

    private sealed record ReplyRow(
        string reply_id, string provider, string provider_message_id, string channel, string sender, string? customer_id, string? order_id, string? notice_id, string body, long received_at)
    {
        public CustomerReply ToReply() => new(
            reply_id, provider, provider_message_id, Enum.Parse<Channel>(channel), sender, customer_id, order_id, notice_id, body, UnixTime.FromMs(received_at));
    }
}
