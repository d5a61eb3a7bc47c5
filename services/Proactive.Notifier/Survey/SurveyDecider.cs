using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Contracts;
using Proactive.Notifier.Channels.Sms;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Policy;
using Proactive.Notifier.Store;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Survey;

/// <summary>
/// Decides, for news that the order was delivered, whether and how to ask the one-question survey:
/// records the survey notice (pending, deferred or suppressed) and the survey row, in the caller's
/// unit of work (the order is locked, the news is new).
/// </summary>
public sealed partial class SurveyDecider(
    IOptions<SurveyOptions> options,
    IOptions<NoticePolicyOptions> policy,
    IOptions<WebhookOptions> webhooks,
    IOptions<TwilioOptions> twilio,
    SurveyTokens tokens,
    SurveyMetrics metrics,
    TemplateCatalog templates,
    ILogger<SurveyDecider> logger)
{
    public const string SurveyPath = "/v1/survey/";

    /// <summary>The episode id of an order's survey notice: one per order, whatever news or replica decided it.</summary>
    public static string EpisodeIdFor(string orderId) => $"{orderId}/survey";

    /// <summary>The survey notices recorded for <paramref name="news"/> (none for news that is not a delivery).</summary>
    public async Task<IReadOnlyList<NoticeRecord>> OnNewsAsync(NotifierSession session, EpisodeNews news, DateTimeOffset now)
    {
        var survey = options.Value;
        if (!SurveyPolicy.Asks(news, now, survey))
        {
            return [];
        }

        var ledger = await session.Notices.ForOrderAsync(news.OrderId);
        if (ledger.Any(n => n.Kind == NoticeKind.Survey) || await session.Surveys.FindAsync(news.OrderId) is not null)
        {
            return [];
        }

        var preferences = await session.Preferences.ForCustomerAsync(news.Customer.CustomerId);
        var told = preferences.ApplyTo(news) with { EpisodeId = EpisodeIdFor(news.OrderId), Sequence = 0 };
        var suppression = told.Customer.Email is { } email ? await session.EmailSuppressions.FindAsync(email) : null;
        var hooks = webhooks.Value;
        var reach = new SurveyReach(hooks.TwilioEnabled(twilio.Value), !string.IsNullOrWhiteSpace(hooks.PublicBaseUrl));
        if (SurveyPolicy.Decide(told, ledger, now, survey, policy.Value, preferences, suppression, reach) is not { } decision)
        {
            return [];
        }

        var message = decision.Channel == Channel.Sms
            ? SurveyMessages.RenderSms(told, policy.Value.SenderName, policy.Value.MaxSmsSegments, templates)
            : SurveyMessages.RenderEmail(told, policy.Value.SenderName, decision.Send ? await LinksAsync(session, told.OrderId, decision.SendAt ?? now, now) : [], survey.ReplyWindow, templates);
        var notice = NoticeRecord.Decided(news with { EpisodeId = told.EpisodeId, Sequence = 0 }, told, decision, message, now, ProactiveTelemetry.CurrentContext());
        await session.Notices.ApplyAsync(NoticeLifecycle.Decide(notice));
        if (decision.Send)
        {
            var (cohort, firstToldAt) = SurveyPolicy.Cohort(news, ledger);
            await session.Surveys.AddAsync(new SurveyRecord(
                news.OrderId,
                notice.NoticeId,
                news.Customer.CustomerId,
                decision.Channel,
                told.Customer.Locale,
                cohort,
                firstToldAt,
                news.PromisedBy,
                SurveyPolicy.DeliveredAt(news, now),
                news.Reason == Contracts.Tracker.V1.DelayReason.Unspecified ? null : WireName.Of(news.Reason),
                news.ExceptionCode,
                news.Carrier,
                news.ShipTo?.Name,
                now));
        }

        var outcome = notice.Status switch
        {
            NoticeStatus.Suppressed => "suppressed",
            NoticeStatus.Deferred => "deferred",
            _ => "asked",
        };
        metrics.Decided(decision.Channel, outcome);
        LogDecided(logger, news.OrderId, decision.Channel, outcome, decision.Why ?? "");
        return [notice];
    }

    /// <summary>The five answer links, score 1 first, working for the reply window from when the email goes out.</summary>
    private async Task<IReadOnlyList<string>> LinksAsync(NotifierSession session, string orderId, DateTimeOffset sendAt, DateTimeOffset now)
    {
        var key = await tokens.KeyAsync(session, now);
        var expiresAt = sendAt + options.Value.ReplyWindow;
        var root = webhooks.Value.PublicBaseUrl!.TrimEnd('/') + SurveyPath;
        return [.. Enumerable.Range(1, 5).Select(score => root + SurveyTokens.Create(key, orderId, score, expiresAt))];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: survey by {Channel} {Outcome} {Why}")]
    private static partial void LogDecided(ILogger logger, string orderId, Channel channel, string outcome, string why);
}
