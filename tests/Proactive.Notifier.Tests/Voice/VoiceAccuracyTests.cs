using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>
/// Phrases written before the classifier was run on them and never tuned for: how well the
/// lexicon does on words it was not fitted to. Exact topics and sentiment per phrase, measured.
/// </summary>
public class VoiceAccuracyTests
{
    private static readonly (string Text, string Topics, Sentiment Sentiment)[] HeldOut =
    [
        ("배송이 예정보다 하루 늦었네요", "late", Sentiment.Negative),
        ("기사님 덕분에 기분 좋았어요", "courier_behaviour,praise", Sentiment.Positive),
        ("포장이 다 뜯겨서 왔어요", "damaged", Sentiment.Negative),
        ("제품이 부서져서 왔습니다", "damaged", Sentiment.Negative),
        ("문자로 미리 알려줘서 좋았어요", "communication,praise", Sentiment.Positive),
        ("너무 느려요", "late", Sentiment.Negative),
        ("색상이 달라요", "wrong_item", Sentiment.Negative),
        ("아무 연락도 없이 늦게 왔어요", "late,communication", Sentiment.Negative),
        ("기사님이 물건을 함부로 다뤘어요", "courier_behaviour", Sentiment.Negative),
        ("감사합니다 잘 받았어요", "praise", Sentiment.Positive),
        ("배송 상태가 엉망이었어요", "other", Sentiment.Negative),
        ("기사님이 너무 친절하셨어요", "courier_behaviour,praise", Sentiment.Positive),
        ("주문한 물건이 아직 안 왔어요", "late", Sentiment.Negative),
        ("상자가 젖어 있었어요", "damaged", Sentiment.Negative),
        ("그럭저럭 괜찮았어요", "other", Sentiment.Positive),
        ("배송 알림을 못 받았어요", "communication", Sentiment.Negative),
        ("My order is three days late and no one has told me why", "late,communication", Sentiment.Negative),
        ("The courier was extremely rude to my mother", "courier_behaviour", Sentiment.Negative),
        ("Box was dented but the contents were fine", "damaged", Sentiment.Negative),
        ("Got someone else's parcel", "wrong_item", Sentiment.Negative),
        ("Fast and friendly, thank you", "praise", Sentiment.Positive),
        ("The tracking never updated", "communication", Sentiment.Negative),
        ("I received a different item", "wrong_item", Sentiment.Negative),
        ("Package arrived soaked", "damaged", Sentiment.Negative),
        ("Awesome service", "praise", Sentiment.Positive),
        ("Delivery guy was very helpful", "courier_behaviour,praise", Sentiment.Positive),
        ("I am still waiting for an update", "late,communication", Sentiment.Negative),
        ("Nothing to complain about", "other", Sentiment.Positive),
        ("It was delayed without any explanation", "late,communication", Sentiment.Negative),
        ("Perfect", "praise", Sentiment.Positive),
        ("The parcel was left outside in the rain by the driver", "courier_behaviour", Sentiment.Negative),
    ];

    /// <summary>The floor under which a lexicon change has made things worse; the measured values are in the report.</summary>
    private const double TopicFloor = 0.85;
    private const double SentimentFloor = 0.85;

    [Fact]
    public void ThePhrasesItWasNotTunedOnAreMostlyRight()
    {
        var results = HeldOut.Select(p => (Phrase: p, Got: VoiceClassifierTests.Labels(VoiceClassifier.Classify(p.Text, null)))).ToList();
        var topicsRight = results.Count(r => r.Got.Topics == r.Phrase.Topics) / (double)results.Count;
        var sentimentRight = results.Count(r => r.Got.Sentiment == r.Phrase.Sentiment) / (double)results.Count;

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"held out: {results.Count} phrases, topics exact {topicsRight:P0}, sentiment {sentimentRight:P0}");
        foreach (var miss in results.Where(r => r.Got != (r.Phrase.Topics, r.Phrase.Sentiment)))
        {
            output?.WriteLine($"miss: {miss.Phrase.Text} → {miss.Got.Topics} {miss.Got.Sentiment}, expected {miss.Phrase.Topics} {miss.Phrase.Sentiment}");
        }

        topicsRight.ShouldBeGreaterThanOrEqualTo(TopicFloor);
        sentimentRight.ShouldBeGreaterThanOrEqualTo(SentimentFloor);
    }
}
