using System.Globalization;
using System.Text.RegularExpressions;

namespace Proactive.Notifier.Voice;

/// <summary>
/// Topics and sentiment of a customer's words, in Korean and English, from <see cref="VoiceLexicon"/>
/// and a few rules: the longest cue wins where cues overlap; a negator near a cue drops its topic
/// and flips half its weight (English: not/no/never/without… among the three words before;
/// Korean: 안/못 right before, 않/없/아니 within the two words after); a negated mention is a
/// complaint ("nobody told me"); an intensifier among the two words before multiplies by 1.5.
/// Score = sum / (1 + |sum|). Pure and deterministic.
/// </summary>
public static partial class VoiceClassifier
{
    /// <summary>A score at least this far from 0 is positive or negative; closer is neutral.</summary>
    public const double NeutralBand = 0.1;

    /// <summary>The text is Korean when at least this share of its letters is Hangul (a syllable is worth about two Latin letters).</summary>
    public const double KoreanShare = 0.25;

    private const int EnglishNegationWindow = 3;
    private const int KoreanNegationWindow = 2;
    private const int IntensifierWindow = 2;

    private static readonly CompiledCue[] Cues =
        [.. VoiceLexicon.Korean.Concat(VoiceLexicon.English).Concat(VoiceLexicon.Emoji).Select(Compile)];

    public static CustomerVoice Classify(string? text, string? locale)
    {
        var masked = VoiceText.Masked(text);
        var folded = VoiceText.Folded(masked);
        var matches = Find(folded);

        var topics = new SortedSet<VoiceTopic>();
        var sum = 0.0;
        var absorbed = new HashSet<int>();
        for (var i = 0; i < matches.Count; i++)
        {
            if (absorbed.Contains(i))
            {
                continue;
            }

            var match = matches[i];
            var next = i + 1 < matches.Count ? matches[i + 1] : null;
            var absorbsNext = false;
            var negated = match.Word ? EnglishNegated(folded, match) : KoreanNegated(folded, match, next, out absorbsNext);
            if (absorbsNext)
            {
                absorbed.Add(i + 1);
            }

            var weight = Intensified(folded, match) ? VoiceLexicon.IntensifierFactor : 1;
            var cue = match.Cue;

            if (cue.IsMention)
            {
                topics.Add(cue.Topic!.Value);
                sum += negated ? VoiceLexicon.MissingMentionPolarity * weight : 0;
            }
            else if (negated)
            {
                sum -= cue.Polarity * VoiceLexicon.NegatedToneFactor * weight;
            }
            else
            {
                if (cue.Topic is { } topic)
                {
                    topics.Add(topic);
                }

                sum += cue.Polarity * weight;
            }
        }

        if (topics.Count == 0 && SaysSomething(folded))
        {
            topics.Add(VoiceTopic.Other);
        }

        var score = Math.Round(sum / (1 + Math.Abs(sum)), 3);
        var sentiment = score >= NeutralBand ? Sentiment.Positive : score <= -NeutralBand ? Sentiment.Negative : Sentiment.Neutral;
        return new CustomerVoice([.. topics], sentiment, score, Language(folded, locale), masked);
    }

    /// <summary>"ko" or "en" from the letters of the text; without letters, from the locale ("ko-KR" → "ko"); else null.</summary>
    public static string? Language(string text, string? locale)
    {
        int hangul = 0, latin = 0;
        foreach (var c in text)
        {
            if (c is >= '\uAC00' and <= '\uD7A3' or >= '\u1100' and <= '\u11FF' or >= '\u3130' and <= '\u318F')
            {
                hangul++;
            }
            else if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                latin++;
            }
        }

        if (hangul + latin > 0)
        {
            return (double)hangul / (hangul + latin) >= KoreanShare ? "ko" : "en";
        }

        var language = locale?.Split('-', '_')[0].Trim().ToLowerInvariant();
        return language is "ko" or "en" ? language : null;
    }

    // A bare score, punctuation or digits say nothing to classify; a letter or an emoji does.
    private static bool SaysSomething(string folded) =>
        folded.Any(c => char.IsLetter(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.OtherSymbol);

    private static List<CueMatch> Find(string folded)
    {
        var candidates = new List<CueMatch>();
        for (var order = 0; order < Cues.Length; order++)
        {
            foreach (Match m in Cues[order].Pattern.Matches(folded))
            {
                candidates.Add(new CueMatch(m.Index, m.Length, order, Cues[order].Cue, Cues[order].Word));
            }
        }

        var covered = new bool[folded.Length];
        var accepted = new List<CueMatch>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Length).ThenBy(c => c.Start).ThenBy(c => c.Order))
        {
            if (Enumerable.Range(candidate.Start, candidate.Length).Any(p => covered[p]))
            {
                continue;
            }

            Array.Fill(covered, true, candidate.Start, candidate.Length);
            accepted.Add(candidate);
        }

        return [.. accepted.OrderBy(c => c.Start)];
    }

    private static bool EnglishNegated(string folded, CueMatch match) =>
        WordsBefore(folded, match.Start).TakeLast(EnglishNegationWindow).Any(VoiceLexicon.EnglishNegators.Contains);

    private static bool KoreanNegated(string folded, CueMatch match, CueMatch? next, out bool absorbsNext)
    {
        absorbsNext = false;

        // 안/못 glued to the cue ("안친절해요") or the word before it, past an intensifier ("안 정말 늦어요").
        var glued = GluedPrefix(folded, match.Start);
        if (glued.Length > 0)
        {
            if (VoiceLexicon.KoreanPrefixNegators.Contains(glued))
            {
                return true;
            }
        }
        else
        {
            var before = WordsBefore(folded, match.Start).Reverse().SkipWhile(VoiceLexicon.Intensifiers.Contains).FirstOrDefault();
            if (before is not null && VoiceLexicon.KoreanPrefixNegators.Contains(before))
            {
                return true;
            }
        }

        // 않/없/아니 in the rest of the word or the two words after, up to the next cue (which owns its own negator).
        var end = next?.Start ?? folded.Length;
        var after = ClauseAfter(folded, match.Start + match.Length, end);
        var words = after.Split(' ');
        var window = string.Join(' ', words.Take(KoreanNegationWindow + 1));
        if (VoiceLexicon.KoreanSuffixNegators.Any(n => window.Contains(n, StringComparison.Ordinal)))
        {
            return true;
        }

        if (!match.Cue.IsMention)
        {
            return false;
        }

        // A mention followed by 안/못 ("문자 안 보냈어요"), or by a cue that starts with one ("알림이 안 왔어요"): the absence is the complaint.
        if (words.Take(KoreanNegationWindow + 1).Any(VoiceLexicon.KoreanPrefixNegators.Contains))
        {
            return true;
        }

        var nextInWindow = next is not null
            && after.Length == next.Start - (match.Start + match.Length) // same clause
            && words.Length <= KoreanNegationWindow + 1;
        if (nextInWindow && VoiceLexicon.KoreanPrefixNegators.Any(n => folded.AsSpan(next!.Start).StartsWith(n, StringComparison.Ordinal)))
        {
            absorbsNext = true;
            return true;
        }

        return false;
    }

    private static bool Intensified(string folded, CueMatch match)
    {
        var glued = GluedPrefix(folded, match.Start);
        return VoiceLexicon.Intensifiers.Contains(glued)
            || (glued.Length == 0 && WordsBefore(folded, match.Start).TakeLast(IntensifierWindow).Any(VoiceLexicon.Intensifiers.Contains));
    }

    // The words of the same clause before a position, without punctuation; a partial word glued to the cue is left out.
    private static IEnumerable<string> WordsBefore(string folded, int start)
    {
        var clause = folded[..start];
        var boundary = Math.Max(clause.LastIndexOfAny(ClauseMarks), clause.LastIndexOf(" but ", StringComparison.Ordinal));
        clause = clause[(boundary + 1)..];
        var lastSpace = clause.LastIndexOf(' ');
        clause = lastSpace < 0 ? "" : clause[..lastSpace];
        return clause.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim(WordTrim)).Where(w => w.Length > 0);
    }

    // The part of the word right before a cue that starts inside the word: "안" in "안친절해요", "택배" in "택배기사".
    private static string GluedPrefix(string folded, int start)
    {
        var from = start;
        while (from > 0 && !char.IsWhiteSpace(folded[from - 1]) && Array.IndexOf(ClauseMarks, folded[from - 1]) < 0)
        {
            from--;
        }

        return folded[from..start];
    }

    private static string ClauseAfter(string folded, int from, int end)
    {
        var text = folded[from..end];
        var boundary = text.IndexOfAny(ClauseMarks);
        return boundary < 0 ? text : text[..boundary];
    }

    private static readonly char[] ClauseMarks = ['.', ',', '!', '?', ';', ':', '\n', '~', '…'];

    private static readonly char[] WordTrim = ['(', ')', '"', '\'', '-', '*'];

    private static CompiledCue Compile(VoiceCue cue)
    {
        var word = cue.Pattern.Any(c => c is >= 'a' and <= 'z');
        var pattern = word
            ? @"(?<![\p{L}\p{N}])" + string.Join(@"[\s\-]+", cue.Pattern.Split(' ').Select(WordPattern)) + @"(?![\p{L}\p{N}])"
            : string.Join(@"\s*", cue.Pattern.Split(' ').Select(Regex.Escape));
        return new CompiledCue(new Regex(pattern, RegexOptions.CultureInvariant), cue, word);
    }

    private static string WordPattern(string word) =>
        word.EndsWith('*') ? Regex.Escape(word[..^1]) + @"[\p{L}']*" : Regex.Escape(word);

    private sealed record CompiledCue(Regex Pattern, VoiceCue Cue, bool Word);

    private sealed record CueMatch(int Start, int Length, int Order, VoiceCue Cue, bool Word);
}
