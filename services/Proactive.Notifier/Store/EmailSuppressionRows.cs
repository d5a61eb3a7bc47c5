using System.Data.Common;
using Dapper;
using Proactive.Notifier.Receipts;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>Email addresses that get no more email (they hard-bounced), by lower-case address.</summary>
public sealed class EmailSuppressionRows
{
    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal EmailSuppressionRows(DbConnection connection, DbTransaction? transaction) => (c, tx) = (connection, transaction);

    private DbTransaction Transaction => tx ?? throw new InvalidOperationException("Suppressions change only in a unit of work (NoticeStore.InTransactionAsync).");

    /// <summary>Suppresses the address (the first report is kept); false when it already was.</summary>
    public async Task<bool> AddAsync(EmailSuppression s) =>
        await c.ExecuteAsync(
            """
            INSERT INTO notifier_email_suppressions (address, reason, source, notice_id, suppressed_at)
            VALUES (@Address, @Reason, @Source, @NoticeId, @At) ON CONFLICT DO NOTHING
            """,
            new { Address = EmailSuppression.KeyOf(s.Address), s.Reason, s.Source, s.NoticeId, At = s.SuppressedAt.ToMs() },
            Transaction) == 1;

    /// <summary>The suppression of <paramref name="address"/> (in any case), or null when it may get email.</summary>
    public async Task<EmailSuppression?> FindAsync(string address) =>
        (await c.QueryAsync<SuppressionRow>(
            $"SELECT {Columns} FROM notifier_email_suppressions WHERE address = @address",
            new { address = EmailSuppression.KeyOf(address) },
            tx)).Select(r => r.ToSuppression()).SingleOrDefault();

    /// <summary>Every suppressed address, oldest first.</summary>
    public async Task<List<EmailSuppression>> AllAsync() =>
        (await c.QueryAsync<SuppressionRow>($"SELECT {Columns} FROM notifier_email_suppressions ORDER BY suppressed_at, address", transaction: tx))
            .Select(r => r.ToSuppression()).ToList();

    private const string Columns = "address, reason, source, notice_id, suppressed_at";

    private sealed record SuppressionRow(string address, string reason, string source, string? notice_id, long suppressed_at)
    {
        public EmailSuppression ToSuppression() => new(address, reason, source, notice_id, UnixTime.FromMs(suppressed_at));
    }
}
