using System.Data.Common;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>
/// One unit of work on Notifier's tables (see <see cref="NoticeStore.InTransactionAsync{T}"/>): what
/// is done through it commits together, or not at all.
/// </summary>
public sealed class NotifierSession
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;
    private readonly SqlDialect dialect;

    internal NotifierSession(DbConnection connection, DbTransaction transaction, SqlDialect dialect)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.dialect = dialect;
        Inbox = new InboxRows(connection, transaction);
        Notices = new NoticeRows(connection, transaction, dialect);
        Preferences = new PreferenceRows(connection, transaction);
        Queue = new NoticeQueueRows(connection, transaction);
        Receipts = new ReceiptRows(connection, transaction);
        Replies = new ReplyRows(connection, transaction);
        EmailSuppressions = new EmailSuppressionRows(connection, transaction);
        Surveys = new SurveyRows(connection, transaction, dialect);
        Voice = new VoiceRows(connection, transaction, dialect);
        Incidents = new IncidentRows(connection, transaction, dialect);
        Templates = new TemplateRows(connection, transaction, dialect);
    }

    /// <summary>Processed episode changes and each order's sequence high-water mark.</summary>
    public InboxRows Inbox { get; }

    /// <summary>Notices and their attempts.</summary>
    public NoticeRows Notices { get; }

    /// <summary>Customers' own preferences.</summary>
    public PreferenceRows Preferences { get; }

    /// <summary>What is due for sending, for the gauges and the dispatcher's timer.</summary>
    public NoticeQueueRows Queue { get; }

    /// <summary>Provider webhook events seen, and the delivery receipts they brought.</summary>
    public ReceiptRows Receipts { get; }

    /// <summary>Customers' replies.</summary>
    public ReplyRows Replies { get; }

    /// <summary>Email addresses that hard-bounced and get no more email.</summary>
    public EmailSuppressionRows EmailSuppressions { get; }

    /// <inheritdoc cref="SurveyRows"/>
    public SurveyRows Surveys { get; }

    /// <inheritdoc cref="VoiceRows"/>
    public VoiceRows Voice { get; }

    /// <inheritdoc cref="IncidentRows"/>
    public IncidentRows Incidents { get; }

    public TemplateRows Templates { get; }

    /// <summary>Serializes work on one order across replicas until the unit of work ends.</summary>
    public Task LockOrderAsync(string orderId) => LockAsync(orderId);

    /// <summary>Serializes changes to one customer's preferences across replicas until the unit of work ends.</summary>
    public Task LockCustomerAsync(string customerId) => LockAsync($"customer:{customerId}");

    private Task LockAsync(string key) => dialect.LockAsync(connection, transaction, key);
}
