using System.Globalization;
using System.Net;
using System.Text;

namespace Proactive.Notifier.Messages;

/// <summary>
/// The survey after delivery in the customer's language: the SMS ("reply 1 to 5"), the email with
/// five one-click links, and the landing page's words. English SMS stays GSM-7 (no en dash), so
/// it fits one segment.
/// </summary>
public sealed record SurveyTexts(
    Func<string, string, string> Sms,
    Func<string, string> Subject,
    Func<string, string> Arrived,
    string PickAScore,
    Func<int, string> ScoreLabel,
    Func<int, string> LinksWorkFor,
    string ThankYou,
    string PageTitle,
    Func<int, string> ThanksForScore,
    string TellUsMore,
    string ChangeScore,
    string Send,
    string ThanksForComment,
    string Expired,
    string NotFound)
{
    public static readonly SurveyTexts English = new(
        Sms: (sender, order) => $"[{sender}] Order {order} has arrived. How did we do? Reply 1 (poor) to 5 (great), and tell us more if you like.",
        Subject: order => $"How was the delivery of order {order}?",
        Arrived: order => $"Your order {order} has arrived. How did we do?",
        PickAScore: "Pick a score; one click is enough:",
        ScoreLabel: score => score switch { 1 => "1 (poor)", 5 => "5 (great)", _ => score.ToString(CultureInfo.InvariantCulture) },
        LinksWorkFor: days => days == 1 ? "The links work for 1 day." : $"The links work for {days} days.",
        ThankYou: "Thank you!",
        PageTitle: "How did we do?",
        ThanksForScore: score => $"Thank you! You gave us {score} out of 5.",
        TellUsMore: "Anything else you would like to tell us? (optional)",
        ChangeScore: "Your score",
        Send: "Send",
        ThanksForComment: "Thank you for telling us. We read every answer.",
        Expired: "Sorry, this survey link has expired.",
        NotFound: "Sorry, this survey link is not valid.");

    public static readonly SurveyTexts Korean = new(
        Sms: (sender, order) => $"[{sender}] 주문 {order} 배송이 완료됐어요. 이번 배송은 어떠셨나요? 1(매우 불만)~5(매우 만족) 숫자로 답장해 주세요.",
        Subject: order => $"주문 {order} 배송은 어떠셨나요?",
        Arrived: order => $"주문 {order} 배송이 완료됐어요. 이번 배송은 어떠셨나요?",
        PickAScore: "점수를 눌러 주세요. 한 번이면 충분해요:",
        ScoreLabel: score => score switch { 1 => "1 (매우 불만)", 5 => "5 (매우 만족)", _ => score.ToString(CultureInfo.InvariantCulture) },
        LinksWorkFor: days => $"링크는 {days}일 동안 유효해요.",
        ThankYou: "감사합니다!",
        PageTitle: "이번 배송은 어떠셨나요?",
        ThanksForScore: score => $"감사합니다! 5점 만점에 {score}점을 주셨어요.",
        TellUsMore: "더 하고 싶은 말씀이 있으신가요? (선택)",
        ChangeScore: "점수",
        Send: "보내기",
        ThanksForComment: "소중한 의견 감사합니다. 모든 답변을 꼼꼼히 읽고 있어요.",
        Expired: "죄송해요, 이 설문 링크는 만료됐어요.",
        NotFound: "죄송해요, 올바른 설문 링크가 아니에요.");

    public static SurveyTexts For(string? locale) => Languages.For(locale) == Language.Korean ? Korean : English;

    /// <summary>The survey SMS, within <paramref name="maxSegments"/> (cut when a long sender name makes it longer).</summary>
    public static RenderedMessage RenderSms(EpisodeNews told, string senderName, int maxSegments)
    {
        var text = For(told.Customer.Locale).Sms(senderName, SafeText.OrderReference(told.OrderId) ?? "");
        var max = Math.Max(1, maxSegments);
        var name = BuiltIn("sms", told.Customer.Locale);
        return SmsSegments.Count(text) <= max
            ? new RenderedMessage(null, text, null, Template: name)
            : new RenderedMessage(null, SmsSegments.Truncate(text, max), null, $"text cut to {max} SMS segment(s) (Proactive:Notices:MaxSmsSegments)", name);
    }

    /// <summary>The survey email: <paramref name="links"/> are the five answer links, score 1 first (none: a survey that is not sent).</summary>
    public static RenderedMessage RenderEmail(EpisodeNews told, string senderName, IReadOnlyList<string> links, TimeSpan lifetime)
    {
        var texts = For(told.Customer.Locale);
        var language = Languages.For(told.Customer.Locale);
        var greeting = (language == Language.Korean ? Texts.Korean : Texts.English).Greeting(SafeText.GreetingName(told.Customer.Name));
        var order = SafeText.OrderReference(told.OrderId) ?? "";
        var days = Math.Max(1, (int)Math.Round(lifetime.TotalDays));

        var text = new StringBuilder().AppendLine(greeting).AppendLine().AppendLine(texts.Arrived(order));
        if (links.Count > 0)
        {
            text.AppendLine(texts.PickAScore).AppendLine();
            for (var i = 0; i < links.Count; i++)
            {
                text.Append(texts.ScoreLabel(i + 1)).Append(": ").AppendLine(links[i]);
            }

            text.AppendLine().AppendLine(texts.LinksWorkFor(days));
        }

        text.AppendLine(texts.ThankYou).Append("— ").Append(senderName);

        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append("<p>").Append(E(greeting)).Append("</p>")
            .Append("<p><strong>").Append(E(texts.Arrived(order))).Append("</strong></p>");
        if (links.Count > 0)
        {
            html.Append("<p>").Append(E(texts.PickAScore)).Append("</p><p>");
            for (var i = 0; i < links.Count; i++)
            {
                html.Append("<a href=\"").Append(E(links[i]))
                    .Append("\" style=\"display:inline-block;padding:8px 14px;margin:2px;border:1px solid #888;border-radius:4px;text-decoration:none\">")
                    .Append(E(texts.ScoreLabel(i + 1))).Append("</a>");
            }

            html.Append("</p><p>").Append(E(texts.LinksWorkFor(days))).Append("</p>");
        }

        html.Append("<p>").Append(E(texts.ThankYou)).Append("<br>— ").Append(E(senderName)).Append("</p></body></html>");
        return new RenderedMessage(texts.Subject(order), text.ToString(), html.ToString(), Template: BuiltIn("email", told.Customer.Locale));
    }

    /// <summary>
    /// What a survey notice records as its template: "survey/sms/ko@builtin" — the fixed texts in
    /// this file (surveys are not templates yet).
    /// </summary>
    private static string BuiltIn(string channel, string? locale) => $"survey/{channel}/{(Languages.For(locale) == Language.Korean ? "ko" : "en")}@builtin";
}
