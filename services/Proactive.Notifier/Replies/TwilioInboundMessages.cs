using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Store;
using Proactive.Notifier.Survey;
using Proactive.Notifier.Webhooks;
using Twilio.TwiML;

namespace Proactive.Notifier.Replies;

/// <summary>
/// POST /v1/webhooks/twilio/inbound: messages customers send to our numbers ("A message comes in").
/// Verified first (<see cref="TwilioWebhook"/>), then taken once per MessageSid: STOP and its
/// kin opt every customer behind the number out of SMS, START opts them back in, HELP gets a short
/// answer, and anything else is kept as the customer's reply to the latest SMS sent to that number.
/// Every verified request is answered with TwiML, empty when there is nothing to say.
/// </summary>
public sealed partial class TwilioInboundMessages(
    TwilioWebhook webhook,
    WebhookGate gate,
    NoticeStore store,
    PreferenceChanges preferences,
    NotifierMetrics metrics,
    DispatchSignal dispatch,
    TimeProvider time,
    IOptions<WebhookOptions> webhooks,
    IOptions<NoticePolicyOptions> policy,
    SurveyReplies surveyReplies,
    ILogger<TwilioInboundMessages> logger)
{
    public const string OptOutSource = "twilio STOP";

    private static readonly WebhookCall Call = new("twilio", "inbound");

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (form, refusal) = await webhook.ReadAsync(http, Call);
        if (refusal is not null)
        {
            return refusal;
        }

        var missing = new[] { "MessageSid", "From", "Body" }.Where(name => !form!.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            return gate.Malformed(Call, $"{string.Join(", ", missing)} required");
        }

        var sid = form!["MessageSid"];
        if (sid.Length is 0 or > 64 || !sid.All(char.IsAsciiLetterOrDigit))
        {
            return gate.Malformed(Call, "MessageSid must be Twilio's message id (letters and digits)");
        }

        if (form["From"].Length > 64)
        {
            return gate.Malformed(Call, "From is too long for a sender");
        }

        var body = form["Body"];
        var optOutType = form.GetValueOrDefault("OptOutType");
        var kind = InboundMessage.Classify(body, optOutType);
        var taken = await store.InTransactionAsync(session => TakeAsync(session, sid, form["From"], body, kind), http.RequestAborted);
        if (taken is null)
        {
            gate.Handled(Call, "duplicate");
            LogDuplicate(sid);
            return TwiML(null);
        }

        gate.Handled(Call, "accepted");
        metrics.Reply(InboundMessage.Name(kind));
        foreach (var (optedOut, withdrawn) in taken.OptOuts)
        {
            preferences.Count(Channel.Sms, "provider", optedOut, withdrawn);
        }

        if (taken.OptOuts.Any(o => o.Withdrawn.Count > 0))
        {
            dispatch.Notify();
        }

        LogTaken(sid, InboundMessage.Name(kind), taken.Customers, taken.Linked);

        // Twilio answers STOP and START in its own keywords itself, and HELP too when its Advanced Opt-Out recognised it.
        var help = kind == InboundKind.Help && !string.Equals(optOutType?.Trim(), "HELP", StringComparison.OrdinalIgnoreCase);
        var confirm = kind is InboundKind.Stop or InboundKind.Start && !InboundMessage.TwilioConfirms(body, optOutType);
        return TwiML(
            help ? HelpReply(taken.Locale)
            : confirm ? InboundMessage.ConfirmationText(kind, Languages.For(taken.Locale), policy.Value.SenderName)
            : null);
    }

    /// <summary>Everything the message does, in one unit of work with the mark that it was seen; null when it was.</summary>
    private async Task<Taken?> TakeAsync(NotifierSession session, string sid, string from, string body, InboundKind kind)
    {
        var now = time.GetUtcNow();
        if (!await session.Receipts.TryMarkSeenAsync("twilio", "inbound:" + sid, now))
        {
            return null;
        }

        var number = InboundMessage.E164(from);
        var (customers, latest) = number is null ? (new List<string>(), null) : await session.Notices.SmsRecipientAsync(number);
        var optOuts = new List<(bool, List<NoticeRecord>)>();
        string? locale = latest?.Locale;
        var answering = latest?.CustomerId ?? (customers.Count == 1 ? customers[0] : null);
        if (kind != InboundKind.Text && answering is not null && (await session.Preferences.ForCustomerAsync(answering)).Locale is { } own)
        {
            locale = own;
        }

        switch (kind)
        {
            case InboundKind.Stop:
                foreach (var customer in customers)
                {
                    var (_, optedOut, withdrawn) = await preferences.OptOutAsync(session, customer, Channel.Sms, OptOutSource);
                    optOuts.Add((optedOut, withdrawn));
                }

                break;
            case InboundKind.Start:
                foreach (var customer in customers)
                {
                    await preferences.OptInAsync(session, customer, Channel.Sms);
                }

                break;
            case InboundKind.Help:
                break;
            default:
                var reply = new CustomerReply(
                    $"twilio:{sid}",
                    "twilio",
                    sid,
                    Channel.Sms,
                    number ?? from,
                    latest?.CustomerId ?? (customers.Count == 1 ? customers[0] : null),
                    latest?.OrderId,
                    latest?.NoticeId,
                    InboundMessage.Stored(body),
                    now);
                await session.Replies.AddAsync(reply);
                await surveyReplies.OnSmsReplyAsync(session, reply, latest, now);
                break;
        }

        return new Taken(customers.Count, latest is not null, locale, optOuts);
    }

    private string HelpReply(string? locale) =>
        webhooks.Value.Twilio.HelpReply is { Length: > 0 } configured
            ? configured
            : InboundMessage.HelpText(Languages.For(locale), policy.Value.SenderName);

    /// <summary>200 text/xml TwiML: a <c>&lt;Message&gt;</c> when there is something to say, else an empty <c>&lt;Response&gt;</c>.</summary>
    private static IResult TwiML(string? message)
    {
        var response = new MessagingResponse();
        if (message is not null)
        {
            response.Message(message);
        }

        return Results.Content(response.ToString(), "text/xml; charset=utf-8");
    }

    private sealed record Taken(int Customers, bool Linked, string? Locale, List<(bool OptedOut, List<NoticeRecord> Withdrawn)> OptOuts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound message {MessageSid} taken as {Kind}: {Customers} customer(s) behind the number, linked to a notice: {Linked}")]
    private partial void LogTaken(string messageSid, string kind, int customers, bool linked);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound message {MessageSid} seen before: nothing changed")]
    private partial void LogDuplicate(string messageSid);
}
