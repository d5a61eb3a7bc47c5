using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>
/// The labelled phrases the lexicon was tuned on (topics as stored, comma-separated; expected
/// sentiment), then one test per rule.
/// </summary>
public class VoiceClassifierTests
{
    public static readonly TheoryData<string, string, Sentiment> Korean = new()
    {
        { "2 택배기사가 불친절했어요", "courier_behaviour", Sentiment.Negative },
        { "택배기사가 불친절하고 짜증났어요", "courier_behaviour", Sentiment.Negative },
        { "기사님이 불친절한 편이에요", "courier_behaviour", Sentiment.Negative },
        { "배송이 너무 늦어요", "late", Sentiment.Negative },
        { "빨리 와서 좋아요", "praise", Sentiment.Positive },
        { "기사님이 친절하셨어요", "courier_behaviour,praise", Sentiment.Positive },
        { "배송이 늦지 않았어요", "other", Sentiment.Positive },
        { "상자가 파손되어 왔어요", "damaged", Sentiment.Negative },
        { "파손 없이 잘 왔어요", "praise", Sentiment.Positive },
        { "물건이 깨져서 왔어요", "damaged", Sentiment.Negative },
        { "다른 상품이 왔어요", "wrong_item", Sentiment.Negative },
        { "주문한 거랑 달라요", "wrong_item", Sentiment.Negative },
        { "연락이 없었어요", "communication", Sentiment.Negative },
        { "배송 지연 안내 문자를 미리 받아서 좋았어요", "late,communication,praise", Sentiment.Positive },
        { "미리 알려주셔서 감사합니다", "communication,praise", Sentiment.Positive },
        { "아직도 안 왔어요", "late", Sentiment.Negative },
        { "알림이 안 왔어요", "communication", Sentiment.Negative },
        { "기사님이 안 친절해요", "courier_behaviour", Sentiment.Negative },
        { "기사님이 친절하지 않았어요", "courier_behaviour", Sentiment.Negative },
        { "정말 최고예요", "praise", Sentiment.Positive },
        { "별로였어요", "other", Sentiment.Negative },
        { "문제없이 잘 받았습니다", "praise", Sentiment.Positive },
        { "택배를 던지고 갔어요", "courier_behaviour", Sentiment.Negative },
        { "반말을 해서 기분 나빴어요", "courier_behaviour", Sentiment.Negative },
        { "수고하셨습니다", "praise", Sentiment.Positive },
        { "박스가 찌그러져서 왔어요", "damaged", Sentiment.Negative },
        { "언제 오나요?", "late", Sentiment.Negative },
        { "늦은 건 아니에요", "other", Sentiment.Positive },
        { "배송은 늦었지만 기사님은 친절했어요", "late,courier_behaviour,praise", Sentiment.Neutral },
        { "오배송입니다", "wrong_item", Sentiment.Negative },
        { "주문한 게 아니에요", "wrong_item", Sentiment.Negative },
        { "말도 없이 문 앞에 두고 갔어요", "communication", Sentiment.Negative },
        { "안내 문자 덕분에 편했어요", "communication,praise", Sentiment.Positive },
        { "그냥 그래요", "other", Sentiment.Neutral },
        { "물건이 젖어서 왔어요 ㅠㅠ", "damaged", Sentiment.Negative },
        { "최악의 배송", "other", Sentiment.Negative },
        { "진짜 너무 늦어요", "late", Sentiment.Negative },
        { "기사님 감사합니다", "courier_behaviour,praise", Sentiment.Positive },
        { "전화도 안 받으세요", "communication", Sentiment.Negative },
        { "상품 하나가 누락됐어요", "wrong_item", Sentiment.Negative },
        { "빠른 배송 감사합니다", "praise", Sentiment.Positive },
        { "잘 받았어요 감사해요", "praise", Sentiment.Positive },
        { "배송이 안 늦어서 만족해요", "praise", Sentiment.Positive },
        { "실망했어요", "other", Sentiment.Negative },
        { "안 좋았어요", "other", Sentiment.Negative },
        { "택배기사님이 무례했어요", "courier_behaviour", Sentiment.Negative },
        { "깨진 데 없이 잘 왔어요", "praise", Sentiment.Positive },
        { "안 정말 늦었어요", "other", Sentiment.Positive },
        { "배송이 안 오네요", "late", Sentiment.Negative },
        { "안 오배송이에요", "other", Sentiment.Positive },
    };

    public static readonly TheoryData<string, string, Sentiment> English = new()
    {
        { "arrived damaged, box crushed", "damaged", Sentiment.Negative },
        { "wrong item, I ordered a blue one", "wrong_item", Sentiment.Negative },
        { "nobody told me it would be late", "late,communication", Sentiment.Negative },
        { "thanks for letting me know early", "communication,praise", Sentiment.Positive },
        { "The parcel was not damaged", "other", Sentiment.Positive },
        { "not late at all", "other", Sentiment.Positive },
        { "The driver wasn't rude", "courier_behaviour", Sentiment.Positive },
        { "The driver wasn’t rude", "courier_behaviour", Sentiment.Positive },
        { "The driver was rude", "courier_behaviour", Sentiment.Negative },
        { "Delivery was very late", "late", Sentiment.Negative },
        { "It's late again", "late", Sentiment.Negative },
        { "Great service, thank you!", "praise", Sentiment.Positive },
        { "Arrived on time, thanks", "praise", Sentiment.Positive },
        { "It was not on time", "late", Sentiment.Negative },
        { "The box was broken and wet", "damaged", Sentiment.Negative },
        { "Still waiting for my parcel", "late", Sentiment.Negative },
        { "My package never arrived", "late", Sentiment.Negative },
        { "I haven't received it yet", "late", Sentiment.Negative },
        { "No updates for three days", "communication", Sentiment.Negative },
        { "Thanks for the update", "communication,praise", Sentiment.Positive },
        { "The courier threw my parcel over the fence", "courier_behaviour", Sentiment.Negative },
        { "Very friendly driver", "courier_behaviour,praise", Sentiment.Positive },
        { "The driver was not friendly", "courier_behaviour", Sentiment.Negative },
        { "Not what I ordered", "wrong_item", Sentiment.Negative },
        { "They sent the wrong size", "wrong_item", Sentiment.Negative },
        { "Nothing was damaged, great job", "praise", Sentiment.Positive },
        { "No problem at all", "other", Sentiment.Positive },
        { "Not bad", "other", Sentiment.Positive },
        { "Terrible experience", "other", Sentiment.Negative },
        { "ok", "other", Sentiment.Neutral },
        { "Where is my parcel?", "late", Sentiment.Negative },
        { "The delivery was fast and the driver was polite", "courier_behaviour,praise", Sentiment.Positive },
        { "Really disappointed, it took forever", "late", Sentiment.Negative },
        { "I was not informed about the delay", "late,communication", Sentiment.Negative },
        { "Nobody contacted me", "communication", Sentiment.Negative },
        { "Kept me informed the whole way, excellent", "communication,praise", Sentiment.Positive },
        { "The package was leaking", "damaged", Sentiment.Negative },
        { "Screen cracked on arrival", "damaged", Sentiment.Negative },
        { "Love it!", "praise", Sentiment.Positive },
        { "The driver didn't even knock", "courier_behaviour", Sentiment.Negative },
        { "Left it in the rain", "courier_behaviour", Sentiment.Negative },
        { "Very slow delivery", "late", Sentiment.Negative },
        { "Without any damage", "other", Sentiment.Positive },
        { "It came early, really happy", "praise", Sentiment.Positive },
        { "Parcel arrived", "other", Sentiment.Neutral },
        { "the item was damaged but the driver was kind", "damaged,courier_behaviour,praise", Sentiment.Neutral },
        { "I didn't get any notification", "communication", Sentiment.Negative },
        { "I never thought the parcel would be this late", "late", Sentiment.Negative },
        { "not cheap, but late", "late", Sentiment.Negative },
        { "ＬＡＴＥ again", "late", Sentiment.Negative },
        { "translate the chocolate note", "other", Sentiment.Neutral },
    };

    [Theory]
    [MemberData(nameof(Korean))]
    public void KoreanPhrasesGetTheirLabels(string text, string topics, Sentiment sentiment) =>
        Labels(VoiceClassifier.Classify(text, null)).ShouldBe((topics, sentiment));

    [Theory]
    [MemberData(nameof(English))]
    public void EnglishPhrasesGetTheirLabels(string text, string topics, Sentiment sentiment) =>
        Labels(VoiceClassifier.Classify(text, null)).ShouldBe((topics, sentiment));

    internal static (string Topics, Sentiment Sentiment) Labels(CustomerVoice voice) =>
        (string.Join(',', voice.Topics.Select(t => t.Name())), voice.Sentiment);

    [Theory]
    [InlineData("5")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("!!!")]
    [InlineData("010-1234-5678")]
    public void TextWithoutWordsHasNoTopicAndNoTone(string text)
    {
        var voice = VoiceClassifier.Classify(text, "ko-KR");

        voice.Topics.ShouldBeEmpty();
        voice.Sentiment.ShouldBe(Sentiment.Neutral);
        voice.Score.ShouldBe(0);
    }

    [Fact]
    public void WordsThatMatchNothingAreOther() =>
        VoiceClassifier.Classify("그냥 그래요", null).Topics.ShouldBe([VoiceTopic.Other]);

    [Fact]
    public void OtherIsNeverBesideAnotherTopic() =>
        VoiceClassifier.Classify("늦었어요 그냥 그래요", null).Topics.ShouldBe([VoiceTopic.Late]);

    [Fact]
    public void TheLongerCueWins()
    {
        VoiceClassifier.Classify("불친절", null).Topics.ShouldBe([VoiceTopic.CourierBehaviour]);
        VoiceClassifier.Classify("not on time", null).Topics.ShouldBe([VoiceTopic.Late]);
    }

    [Fact]
    public void EnglishWordsMatchWholeWordsOnly() =>
        VoiceClassifier.Classify("chocolate", null).Topics.ShouldBe([VoiceTopic.Other]);

    [Fact]
    public void EnglishStemsMatchTheirEndings()
    {
        VoiceClassifier.Classify("damages", null).Topics.ShouldBe([VoiceTopic.Damaged]);
        VoiceClassifier.Classify("delayed", null).Topics.ShouldBe([VoiceTopic.Late]);
    }

    [Theory]
    [InlineData("불친절했어요")]
    [InlineData("불친절하고")]
    [InlineData("불친절한")]
    [InlineData("불친절함")]
    public void KoreanStemsMatchEveryInflection(string text) =>
        Labels(VoiceClassifier.Classify(text, null)).ShouldBe(("courier_behaviour", Sentiment.Negative));

    [Theory]
    [InlineData("not damaged")]
    [InlineData("never damaged")]
    [InlineData("no damage")]
    [InlineData("without damage")]
    [InlineData("wasn't damaged")]
    [InlineData("was not really damaged")]
    public void AnEnglishNegatorDropsTheTopicAndFlipsTheTone(string text)
    {
        var voice = VoiceClassifier.Classify(text, null);

        voice.Topics.ShouldNotContain(VoiceTopic.Damaged);
        voice.Score.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void AnEnglishNegatorReachesThreeWordsBack()
    {
        VoiceClassifier.Classify("not at all late", null).Topics.ShouldNotContain(VoiceTopic.Late);
        VoiceClassifier.Classify("not at all that late", null).Topics.ShouldContain(VoiceTopic.Late);
    }

    [Fact]
    public void ANegatorStopsAtTheEndOfItsClause()
    {
        VoiceClassifier.Classify("not cheap late", null).Topics.ShouldNotContain(VoiceTopic.Late);
        VoiceClassifier.Classify("not cheap, late", null).Topics.ShouldContain(VoiceTopic.Late);
        VoiceClassifier.Classify("not cheap but late", null).Topics.ShouldContain(VoiceTopic.Late);
    }

    [Theory]
    [InlineData("안 늦었어요")]
    [InlineData("안늦었어요")]
    [InlineData("늦지 않았어요")]
    [InlineData("늦은 건 아니에요")]
    [InlineData("안 너무 늦었어요")]
    public void AKoreanNegatorDropsTheTopicAndFlipsTheTone(string text)
    {
        var voice = VoiceClassifier.Classify(text, null);

        voice.Topics.ShouldNotContain(VoiceTopic.Late);
        voice.Score.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void AKoreanNegatorAfterACueReachesTwoWords()
    {
        VoiceClassifier.Classify("늦은 건 아니에요", null).Topics.ShouldNotContain(VoiceTopic.Late);
        VoiceClassifier.Classify("늦은 건 그런 게 아니에요", null).Topics.ShouldContain(VoiceTopic.Late);
    }

    [Fact]
    public void AKoreanNegatorBelongsToTheNearestCue()
    {
        var voice = VoiceClassifier.Classify("좋았는데 연락은 없었어요", null);

        voice.Topics.ShouldBe([VoiceTopic.Communication, VoiceTopic.Praise]);
        voice.Score.ShouldBe(0);
    }

    [Fact]
    public void AMissingMentionIsAComplaint()
    {
        VoiceClassifier.Classify("연락이 있었어요", null).Sentiment.ShouldBe(Sentiment.Neutral);
        VoiceClassifier.Classify("연락이 없었어요", null).Sentiment.ShouldBe(Sentiment.Negative);
        VoiceClassifier.Classify("somebody told me", null).Sentiment.ShouldBe(Sentiment.Neutral);
        VoiceClassifier.Classify("nobody told me", null).Sentiment.ShouldBe(Sentiment.Negative);
    }

    [Fact]
    public void AMentionTakesTheNegatedVerbAfterItFromTheLateCue() =>
        VoiceClassifier.Classify("알림이 안왔어요", null).Topics.ShouldBe([VoiceTopic.Communication]);

    [Theory]
    [InlineData("늦어요", "너무 늦어요")]
    [InlineData("늦어요", "너무늦어요")]
    [InlineData("좋아요", "정말 좋아요")]
    [InlineData("late", "very late")]
    [InlineData("late", "really so late")]
    [InlineData("good", "really good")]
    public void AnIntensifierStrengthensTheTone(string plain, string intensified)
    {
        var plainScore = VoiceClassifier.Classify(plain, null).Score;
        var strongScore = VoiceClassifier.Classify(intensified, null).Score;

        Math.Sign(strongScore).ShouldBe(Math.Sign(plainScore));
        Math.Abs(strongScore).ShouldBeGreaterThan(Math.Abs(plainScore));
    }

    [Fact]
    public void TheScoreGrowsWithTheCuesButStaysBelowOne()
    {
        var one = VoiceClassifier.Classify("late", null).Score;
        var three = VoiceClassifier.Classify("late, damaged, rude", null).Score;

        one.ShouldBe(-0.5);
        three.ShouldBe(-0.75);
    }

    [Theory]
    [InlineData("배송이 늦어요", null, "ko")]
    [InlineData("배송이 늦어요", "en-US", "ko")]
    [InlineData("late again", "ko-KR", "en")]
    [InlineData("OK 좋아요", null, "ko")]
    [InlineData("the 택배 box was crushed", null, "en")]
    [InlineData("5", "ko-KR", "ko")]
    [InlineData("5", "en_GB", "en")]
    [InlineData("5", "fr-FR", null)]
    [InlineData("👍", null, null)]
    public void TheLanguageComesFromTheTextThenTheLocale(string text, string? locale, string? language) =>
        VoiceClassifier.Classify(text, locale).Language.ShouldBe(language);

    [Fact]
    public void PhonesAndEmailsAreMaskedInTheStoredText()
    {
        var voice = VoiceClassifier.Classify("기사님 번호 010-1234-5678, 메일은 minji@example.com 입니다", null);

        voice.MaskedText.ShouldBe("기사님 번호 [number], 메일은 [email] 입니다");
    }

    [Fact]
    public void FullWidthPhoneNumbersAreMaskedToo() =>
        VoiceClassifier.Classify("０１０－１２３４－５６７８로 연락주세요", null).MaskedText.ShouldBe("[number]로 연락주세요");

    [Fact]
    public void TheMaskPlaceholdersAreNotReadAsWords() =>
        VoiceClassifier.Classify("write to a@b.example", null).Topics.ShouldBe([VoiceTopic.Other]);

    [Fact]
    public void TheStoredTextKeepsItsCaseWithWhitespaceCollapsed() =>
        VoiceClassifier.Classify("  Box   CRUSHED\n\tsorry ", null).MaskedText.ShouldBe("Box CRUSHED sorry");

    [Fact]
    public void UnpairedSurrogatesAreReplacedNotRefused()
    {
        var voice = VoiceClassifier.Classify("\uD800 late \uDC00", null);

        voice.Topics.ShouldBe([VoiceTopic.Late]);
        voice.MaskedText.ShouldBe("\uFFFD late \uFFFD");
        SurveyReply.Parse("5 \uDC00").ShouldBe(new SurveyAnswer(5, "\uFFFD"));
    }

    [Fact]
    public void EmojiCarryTone()
    {
        VoiceClassifier.Classify("👍", null).Sentiment.ShouldBe(Sentiment.Positive);
        VoiceClassifier.Classify("😡", null).Sentiment.ShouldBe(Sentiment.Negative);
    }

    [Fact]
    public void EveryTopicHasItsStoredName() =>
        Enum.GetValues<VoiceTopic>().Select(t => t.Name()).ShouldBe(
            ["late", "damaged", "wrong_item", "courier_behaviour", "communication", "praise", "other"]);
}
