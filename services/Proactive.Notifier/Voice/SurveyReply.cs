using System.Text.RegularExpressions;

namespace Proactive.Notifier.Voice;

/// <summary>
/// How an SMS reply to the survey is read: a digit 1–5 at the start, alone or followed by words
/// or punctuation, is the score ("5", "５", "5점", "5/5", "5 stars", "4, fast"); the rest is the
/// comment. Any other number at the start ("10", "123", "0", "4.5", "3/10") gives no score, and
/// then the whole text is the comment. Pure.
/// </summary>
public static partial class SurveyReply
{
    public static SurveyAnswer Parse(string? text)
    {
        var reply = VoiceText.Nfkc(text ?? "").Trim();
        var scored = Scored().Match(reply);
        if (!scored.Success)
        {
            return new SurveyAnswer(null, Comment(reply));
        }

        var rest = reply[scored.Length..].TrimStart(LeadingMarks);
        return new SurveyAnswer(scored.Groups["score"].Value[0] - '0', Comment(rest));
    }

    private static string? Comment(string text) => text.Trim() is { Length: > 0 } comment ? comment : null;

    private static readonly char[] LeadingMarks = [' ', ',', '.', '!', '-', ':', ';', ')', '/', '\u3000', '\t', '\n', '\r'];

    // A score digit, then optionally its unit ("점", "/5", "out of 5", "stars"), then not another digit or a decimal.
    [GeneratedRegex(@"^(?<score>[1-5])(?:\s*(?:점|/\s*5|out\s+of\s+5|stars?)(?![\p{L}\p{N}]))?(?![0-9]|[.,/\-][0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Scored();
}
