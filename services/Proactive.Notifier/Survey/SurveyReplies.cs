using Microsoft.Extensions.Options;
using Proactive.Notifier.Replies;
using Proactive.Notifier.Store;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Survey;

/// <summary>
/// What follows a customer's free-text SMS reply, once stored: an answer to the survey when the
/// latest SMS sent to that number was the survey, within the reply window; and the words recorded
/// for analysis either way. In the caller's unit of work.
/// </summary>
public sealed class SurveyReplies(VoiceRecorder voice, IOptions<SurveyOptions> options, SurveyMetrics metrics)
{
    /// <param name="latest">The newest SMS notice sent to the number, if any.</param>
    public async Task OnSmsReplyAsync(NotifierSession session, CustomerReply reply, NoticeRecord? latest, DateTimeOffset now)
    {
        if (latest is { Kind: NoticeKind.Survey, SentAt: { } sentAt }
            && reply.ReceivedAt - sentAt <= options.Value.ReplyWindow
            && await session.Surveys.FindAsync(latest.OrderId) is { } survey)
        {
            // "5" alone, or "2 택배기사가 불친절했어요": the latest score wins; the words go to the recorder as they came.
            var answer = SurveyReply.Parse(reply.Body);
            if (answer.Score is { } score)
            {
                await session.Surveys.ScoreAsync(survey.OrderId, score, reply.ReceivedAt, confirmed: true);
            }

            metrics.Answered(Channel.Sms, answer.Score);
            await voice.RecordAsync(session, new VoiceInput(
                reply.ReplyId, VoiceSource.SmsSurvey, survey.OrderId, survey.CustomerId, answer.Score, answer.Comment ?? "", survey.Locale, reply.ReceivedAt));
            return;
        }

        await voice.RecordAsync(session, new VoiceInput(
            reply.ReplyId, VoiceSource.SmsReply, reply.OrderId, reply.CustomerId, null, reply.Body, latest?.Locale, reply.ReceivedAt));
    }
}
