using CsCheck;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Tests.Voice;

/// <summary>What holds for any text: no exceptions, bounded and deterministic results, no contact detail left, intensifiers never flip the tone.</summary>
public class VoiceProperties
{
    private static readonly Gen<string> Words = Gen.Frequency(
        (3, RenderingProperties.AnyText),
        (2, Gen.String),
        (3, Gen.OneOf(VoiceLexicon.Korean.Concat(VoiceLexicon.English).Select(c => c.Pattern.Replace("*", "", StringComparison.Ordinal)).ToArray())
            .Array[1, 6]
            .SelectMany(cues => Gen.OneOf(" ", ", ", " 안 ", " not ", " 너무 ", " really ", "n't ", " 않 ", "~").Array[cues.Length]
                .Select(glue => string.Concat(cues.Zip(glue, (c, g) => c + g))))));

    [Fact]
    public void ClassifyingNeverThrowsAndStaysInBounds() =>
        Words.Sample(text =>
        {
            var voice = VoiceClassifier.Classify(text, "ko-KR");

            voice.Score.ShouldBeInRange(-1, 1);
            voice.Sentiment.ShouldBe(voice.Score >= VoiceClassifier.NeutralBand ? Sentiment.Positive
                : voice.Score <= -VoiceClassifier.NeutralBand ? Sentiment.Negative : Sentiment.Neutral);
            voice.Topics.ShouldBe(voice.Topics.Distinct().Order());
            if (voice.Topics.Contains(VoiceTopic.Other))
            {
                voice.Topics.Count.ShouldBe(1);
            }

            voice.Language.ShouldBeOneOf("ko", "en");
        });

    [Fact]
    public void ClassifyingIsDeterministic() =>
        Words.Sample(text =>
        {
            var first = VoiceClassifier.Classify(text, null);
            var second = VoiceClassifier.Classify(new string(text.AsSpan()), null);

            (second with { Topics = first.Topics }).ShouldBe(first);
            second.Topics.ShouldBe(first.Topics);
        });

    [Fact]
    public void SurveyRepliesNeverThrowAndScoresStayOneToFive() =>
        Words.Sample(text =>
        {
            var answer = SurveyReply.Parse(text);

            answer.Score?.ShouldBeInRange(1, 5);
            answer.Comment?.ShouldNotBeNullOrWhiteSpace();
        });

    private static readonly Gen<string> Digits4 = Gen.Int[0, 9999].Select(n => n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));

    private static readonly Gen<string> Phone = Gen.Select(Gen.OneOf("010", "011", "016", "019"), Digits4, Digits4, Gen.Int[0, 5]).Select((prefix, a, b, style) => style switch
    {
        0 => $"{prefix}-{a}-{b}",
        1 => $"{prefix} {a} {b}",
        2 => $"{prefix}{a}{b}",
        3 => $"+82{prefix[1..]}{a}{b}",
        4 => $"+82 {prefix[1..]}-{a}-{b}",
        _ => string.Concat($"{prefix}-{a}-{b}".Select(c => c == '-' ? '－' : (char)(c - '0' + '０'))),
    });

    private static readonly Gen<string> Email = Gen.Select(
        Gen.Char["abcxyz0189._+-"].Array[1, 12].Select(c => "m" + new string(c)),
        Gen.Char["abcdefghij-"].Array[1, 10].Select(c => "d" + new string(c)),
        Gen.OneOf("com", "co.kr", "example", "net"))
        .Select((local, domain, tld) => $"{local}@{domain}.{tld}");

    private static readonly Gen<string> Filler = Gen.OneOf("", " ", "연락주세요 ", "기사님 번호는 ", "call me on ", "(", "로 ", "mail: ", "\n");

    [Fact]
    public void NoGeneratedPhoneOrEmailSurvivesMasking() =>
        Gen.Select(Filler, Phone, Filler, Email, Filler).Sample((before, phone, middle, email, after) =>
        {
            var masked = VoiceClassifier.Classify(before + phone + middle + email + after, null).MaskedText;
            var phoneDigits = new string(phone.Normalize(System.Text.NormalizationForm.FormKC).Where(char.IsAsciiDigit).ToArray());

            masked.ShouldNotContain("@");
            new string(masked.Where(char.IsAsciiDigit).ToArray()).ShouldNotContain(phoneDigits[^7..]);
        });

    private static readonly Gen<(string Cue, bool Korean)> Cue = Gen.OneOf(
        VoiceLexicon.Korean.Select(c => (c.Pattern, true))
            .Concat(VoiceLexicon.English.Select(c => (c.Pattern.Replace("*", "", StringComparison.Ordinal), false)))
            .ToArray());

    [Fact]
    public void AnIntensifierNeverFlipsTheTone() =>
        Gen.Select(Cue, Gen.Bool, Gen.OneOf("", "배송 ", "the parcel was ")).Sample((cue, negate, lead) =>
        {
            var negator = negate ? (cue.Korean ? "안 " : "not ") : "";
            var intensifier = cue.Korean ? "정말 " : "really ";

            var plain = VoiceClassifier.Classify(lead + negator + cue.Cue, null).Score;
            var strong = VoiceClassifier.Classify(lead + negator + intensifier + cue.Cue, null).Score;

            // Only the sign: "not really on time" is rightly milder than the cue "not on time".
            Math.Sign(strong).ShouldBe(Math.Sign(plain));
        });
}
