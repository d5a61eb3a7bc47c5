using System.Text.Json;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Channels.LocalOutbox;

/// <summary>
/// Stands in for a provider whose credentials are not configured: appends each message to a JSON
/// lines file and prints it to the console, so a newcomer sees what would be sent. The recipient
/// is masked in both; the text is shown, since showing it is the point.
/// </summary>
public sealed class LocalOutboxSender(Channel channel, string path, TimeProvider time, TextWriter console) : INoticeSender
{
    private static readonly SemaphoreSlim FileGate = new(1, 1);

    public Channel Channel => channel;

    public string Provider => "local-outbox";

    public double MessagesPerSecond => 0;

    public async Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken)
    {
        var id = $"local-{Guid.NewGuid():N}";
        var recipient = channel == Channel.Sms ? Redact.Phone(notice.Recipient) : Redact.Email(notice.Recipient);
        var line = JsonSerializer.Serialize(new
        {
            id,
            at = time.GetUtcNow(),
            channel = channel.ToString().ToUpperInvariant(),
            noticeId = notice.NoticeId,
            orderId = notice.OrderId,
            to = recipient,
            locale = notice.Locale,
            subject = notice.Subject,
            text = notice.Text,
        });

        await FileGate.WaitAsync(cancellationToken);
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            await File.AppendAllTextAsync(path, line + Environment.NewLine, cancellationToken);
            var header = channel == Channel.Sms ? $"SMS to {recipient} ({notice.Locale})" : $"Email to {recipient} ({notice.Locale}): {notice.Subject}";
            await console.WriteLineAsync($"── {header} ── order {notice.OrderId}{Environment.NewLine}{notice.Text}{Environment.NewLine}");
            await console.FlushAsync(cancellationToken);
        }
        finally
        {
            FileGate.Release();
        }

        return SendResult.WrittenLocally(id);
    }
}
