using System.Globalization;

namespace Proactive.Notifier.Messages;

/// <summary>
/// The survey landing page's words in the customer's language (<see cref="Survey.SurveyPage"/>),
/// Korean or English. The survey SMS and email are templates (<see cref="SurveyMessages"/>).
/// </summary>
public sealed record SurveyTexts(
    Func<int, string> ScoreLabel,
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
        ScoreLabel: score => score switch { 1 => "1 (poor)", 5 => "5 (great)", _ => score.ToString(CultureInfo.InvariantCulture) },
        PageTitle: "How did we do?",
        ThanksForScore: score => $"Thank you! You gave us {score} out of 5.",
        TellUsMore: "Anything else you would like to tell us? (optional)",
        ChangeScore: "Your score",
        Send: "Send",
        ThanksForComment: "Thank you for telling us. We read every answer.",
        Expired: "Sorry, this survey link has expired.",
        NotFound: "Sorry, this survey link is not valid.");

    public static readonly SurveyTexts Korean = new(
        ScoreLabel: score => score switch { 1 => "1 (매우 불만)", 5 => "5 (매우 만족)", _ => score.ToString(CultureInfo.InvariantCulture) },
        PageTitle: "이번 배송은 어떠셨나요?",
        ThanksForScore: score => $"감사합니다! 5점 만점에 {score}점을 주셨어요.",
        TellUsMore: "더 하고 싶은 말씀이 있으신가요? (선택)",
        ChangeScore: "점수",
        Send: "보내기",
        ThanksForComment: "소중한 의견 감사합니다. 모든 답변을 꼼꼼히 읽고 있어요.",
        Expired: "죄송해요, 이 설문 링크는 만료됐어요.",
        NotFound: "죄송해요, 올바른 설문 링크가 아니에요.");

    public static SurveyTexts For(string? locale) => Languages.For(locale) == Language.Korean ? Korean : English;
}
