using Proactive.Notifier;
using Proactive.Notifier.Channels;

namespace Proactive.Standalone.Replay;

/// <summary>
/// Stands in for a provider during a replay: accepts every message at once, at the virtual instant,
/// with no rate limit (so the replay is not slowed), and counts it. The notice ledger records the
/// send as it would a provider's; the message id is derived from the notice, so nothing random enters.
/// </summary>
public sealed class ReplayRecorder(Channel channel) : INoticeSender
{
    private int accepted;

    public Channel Channel => channel;

    public string Provider => "replay";

    public double MessagesPerSecond => 0;

    public int Accepted => accepted;

    public Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken)
    {
        accepted++;
        return Task.FromResult(SendResult.Sent($"replay-{notice.NoticeId}"));
    }
}
