using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>How an SMS reply to the survey splits into a score and a comment.</summary>
public class SurveyReplyTests
{
    [Theory]
    [InlineData("5", 5, null)]
    [InlineData(" 1 ", 1, null)]
    [InlineData("５", 5, null)]
    [InlineData("３ 보통이에요", 3, "보통이에요")]
    [InlineData("2 택배기사가 불친절했어요", 2, "택배기사가 불친절했어요")]
    [InlineData("2택배기사가 불친절했어요", 2, "택배기사가 불친절했어요")]
    [InlineData("4, fast but no update", 4, "fast but no update")]
    [InlineData("5!", 5, null)]
    [InlineData("5.", 5, null)]
    [InlineData("5점", 5, null)]
    [InlineData("5 점 만족합니다", 5, "만족합니다")]
    [InlineData("5/5", 5, null)]
    [InlineData("4 / 5 good", 4, "good")]
    [InlineData("5 stars", 5, null)]
    [InlineData("1 star. Box crushed", 1, "Box crushed")]
    [InlineData("3 out of 5", 3, null)]
    [InlineData("4 - ok", 4, "ok")]
    [InlineData("5 starving", 5, "starving")]
    public void ALeadingDigitOneToFiveIsTheScore(string text, int score, string? comment) =>
        SurveyReply.Parse(text).ShouldBe(new SurveyAnswer(score, comment));

    [Theory]
    [InlineData("10")]
    [InlineData("123")]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("9 great")]
    [InlineData("4.5")]
    [InlineData("3,5")]
    [InlineData("3/10")]
    [InlineData("5/50")]
    [InlineData("1-2 days late")]
    [InlineData("-1")]
    [InlineData("１０")]
    [InlineData("arrived damaged, box crushed")]
    [InlineData("five")]
    [InlineData("gave it a 5")]
    public void AnythingElseIsNoScoreAndAllComment(string text) =>
        SurveyReply.Parse(text).ShouldBe(new SurveyAnswer(null, text.Normalize(System.Text.NormalizationForm.FormKC)));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void NothingIsNeitherScoreNorComment(string? text) =>
        SurveyReply.Parse(text).ShouldBe(new SurveyAnswer(null, null));
}
