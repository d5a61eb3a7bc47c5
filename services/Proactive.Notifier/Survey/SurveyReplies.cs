using Proactive.Notifier.Replies;
using Proactive.Notifier.Store;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Survey;

/// <summary>
/// What follows a customer's free-text SMS reply, once stored: an answer to the survey when the
/// latest SMS sent to that number was the survey, within the reply window; and the words recorded
/// for analysis either way. In the caller's unit of work.
/// </summary>
public sealed class SurveyReplies(VoiceRecorder voice)
{
    /// <param name="latest">The newest SMS notice sent to the number, if any.</param>
    public Task OnSmsReplyAsync(NotifierSession session, CustomerReply reply, NoticeRecord? latest, DateTimeOffset now) =>
        voice.RecordAsync(session, new VoiceInput(
            reply.ReplyId, VoiceSource.SmsReply, reply.OrderId, reply.CustomerId, null, reply.Body, latest?.Locale, reply.ReceivedAt));
}
