using System.Data.Common;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Replies;

namespace Proactive.Notifier.Store;

/// <summary>
/// Reads of Notifier's tables outside a unit of work (see <see cref="NoticeStore.ReadAsync{T}"/>):
/// nothing here writes; changes go through a <see cref="NotifierSession"/>.
/// </summary>
public sealed class NotifierReads
{
    private readonly NoticeRows notices;
    private readonly PreferenceRows preferences;
    private readonly NoticeQueueRows queue;
    private readonly ReceiptRows receipts;
    private readonly ReplyRows replies;
    private readonly EmailSuppressionRows suppressions;

    internal NotifierReads(DbConnection connection, ServiceDefaults.Storage.SqlDialect dialect)
    {
        notices = new NoticeRows(connection, null, dialect);
        preferences = new PreferenceRows(connection, null);
        queue = new NoticeQueueRows(connection, null);
        receipts = new ReceiptRows(connection, null);
        replies = new ReplyRows(connection, null);
        suppressions = new EmailSuppressionRows(connection, null);
        Surveys = new SurveyRows(connection, null, dialect);
        Voice = new VoiceRows(connection, null, dialect);
        Incidents = new IncidentRows(connection, null, dialect);
        Templates = new TemplateRows(connection, null, dialect);
    }

    /// <inheritdoc cref="SurveyRows"/>
    public SurveyRows Surveys { get; }

    /// <inheritdoc cref="VoiceRows"/>
    public VoiceRows Voice { get; }

    /// <inheritdoc cref="IncidentRows"/>
    public IncidentRows Incidents { get; }

    /// <summary>Message templates stored through the API.</summary>
    public TemplateRows Templates { get; }

    /// <inheritdoc cref="EmailSuppressionRows.FindAsync"/>
    public Task<EmailSuppression?> EmailSuppressionAsync(string address) => suppressions.FindAsync(address);

    /// <inheritdoc cref="EmailSuppressionRows.AllAsync"/>
    public Task<List<EmailSuppression>> EmailSuppressionsAsync() => suppressions.AllAsync();

    /// <inheritdoc cref="ReceiptRows.ForOrderAsync"/>
    public Task<List<DeliveryReceipt>> ReceiptsForOrderAsync(string orderId) => receipts.ForOrderAsync(orderId);

    /// <inheritdoc cref="ReplyRows.ForOrderAsync"/>
    public Task<List<CustomerReply>> RepliesForOrderAsync(string orderId) => replies.ForOrderAsync(orderId);

    /// <inheritdoc cref="ReplyRows.SinceAsync"/>
    public Task<List<CustomerReply>> RepliesSinceAsync(DateTimeOffset since, ReplyCursor? after, int limit) => replies.SinceAsync(since, after, limit);

    /// <inheritdoc cref="NoticeRows.ForOrderAsync"/>
    public Task<List<NoticeRecord>> NoticesForOrderAsync(string orderId) => notices.ForOrderAsync(orderId);

    /// <inheritdoc cref="NoticeRows.AttemptsForOrderAsync"/>
    public Task<List<NoticeAttempt>> AttemptsForOrderAsync(string orderId) => notices.AttemptsForOrderAsync(orderId);

    /// <inheritdoc cref="PreferenceRows.ForCustomerAsync"/>
    public Task<CustomerPreferences> PreferencesAsync(string customerId) => preferences.ForCustomerAsync(customerId);

    /// <inheritdoc cref="NoticeQueueRows.StatsAsync"/>
    public Task<(long Due, TimeSpan? OldestAge)> QueueStatsAsync(DateTimeOffset now, CancellationToken ct) => queue.StatsAsync(now, ct);

    /// <inheritdoc cref="NoticeQueueRows.NextDueAsync"/>
    public Task<DateTimeOffset?> NextDueAsync(Channel channel, CancellationToken ct) => queue.NextDueAsync(channel, ct);
}
