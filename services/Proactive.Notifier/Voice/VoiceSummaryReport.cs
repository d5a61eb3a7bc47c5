using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Notifier.V1;

namespace Proactive.Notifier.Voice;

/// <summary>Builds the voice summary from what the store counted. Pure.</summary>
public static class VoiceSummaryReport
{
    /// <summary>The cohorts CSAT is split by, in the order reported.</summary>
    public static readonly IReadOnlyList<string> Cohorts = ["told_early", "told_late", "never_told", "not_delayed"];

    /// <summary>The key of items whose order's reason, carrier or destination is not known.</summary>
    public const string Unknown = "none";

    public const int QuoteCount = 10;

    private const string Negative = "negative";
    private static readonly string[] Sentiments = [Negative, "neutral", "positive"];

    public static VoiceSummary Build(
        VoiceRange range,
        long items,
        (long Asked, long Answered) surveys,
        IReadOnlyDictionary<VoiceDimension, List<VoiceTally>> tallies,
        IReadOnlyList<CohortScores> scores,
        IReadOnlyList<StoredVoice> newest)
    {
        var summary = new VoiceSummary
        {
            From = Timestamp.FromDateTimeOffset(range.From),
            To = Timestamp.FromDateTimeOffset(range.To),
            Totals = new VoiceTotals { VoiceItems = Int(items), SurveysAsked = Int(surveys.Asked), SurveysAnswered = Int(surveys.Answered) },
        };
        if (surveys.Asked > 0)
        {
            summary.Totals.ResponseRate = Math.Round((double)surveys.Answered / surveys.Asked, 4);
        }

        summary.ByTopic.AddRange(Counts(tallies[VoiceDimension.Topics].SelectMany(t => (t.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(topic => t with { Value = topic }))));
        summary.BySentiment.AddRange(Sentiments.Select(s => new VoiceCount
        {
            Key = s,
            Count = Int(tallies[VoiceDimension.Sentiment].Where(t => t.Sentiment == s).Sum(t => t.Count)),
            Negative = s == Negative ? Int(tallies[VoiceDimension.Sentiment].Where(t => t.Sentiment == s).Sum(t => t.Count)) : 0,
        }));
        summary.ByReason.AddRange(Counts(Known(tallies[VoiceDimension.Reason])));
        summary.ByCarrier.AddRange(Counts(Known(tallies[VoiceDimension.Carrier])));
        summary.ByDestination.AddRange(Counts(Known(tallies[VoiceDimension.Destination])));
        summary.Csat.AddRange(Cohorts.Select(cohort => Csat(cohort, scores.Where(s => s.Cohort == cohort).ToList())));
        summary.RecentQuotes.AddRange(newest.Take(QuoteCount).Select(Quote));
        return summary;
    }

    /// <summary>CSAT of one cohort: no mean and no share when nobody answered (rather than NaN).</summary>
    public static CsatCohort Csat(string cohort, IReadOnlyList<CohortScores> scores)
    {
        var answered = scores.Sum(s => s.Answered);
        var csat = new CsatCohort { Cohort = cohort, Answered = Int(answered) };
        if (answered > 0)
        {
            csat.MeanScore = Math.Round((double)scores.Sum(s => s.Total) / answered, 4);
            csat.Share4To5 = Math.Round((double)scores.Sum(s => s.Satisfied) / answered, 4);
        }

        return csat;
    }

    // Per key: items and negative items; most first, then by key (ordinal) so the order is stable.
    private static IEnumerable<VoiceCount> Counts(IEnumerable<VoiceTally> tallies) =>
        tallies
            .GroupBy(t => t.Value ?? Unknown, StringComparer.Ordinal)
            .Select(g => new VoiceCount { Key = g.Key, Count = Int(g.Sum(t => t.Count)), Negative = Int(g.Where(t => t.Sentiment == Negative).Sum(t => t.Count)) })
            .OrderByDescending(c => c.Count)
            .ThenBy(c => c.Key, StringComparer.Ordinal);

    private static int Int(long count) => (int)Math.Min(count, int.MaxValue);

    private static IEnumerable<VoiceTally> Known(IEnumerable<VoiceTally> tallies) =>
        tallies.Select(t => string.IsNullOrWhiteSpace(t.Value) || t.Value == "DELAY_REASON_UNSPECIFIED" ? t with { Value = Unknown } : t);

    private static VoiceQuote Quote(StoredVoice v)
    {
        var quote = new VoiceQuote
        {
            ReceivedAt = Timestamp.FromDateTimeOffset(v.ReceivedAt),
            OrderId = v.OrderId ?? "",
            Source = v.Source,
            Language = v.Language ?? "",
            Sentiment = v.Sentiment,
            Text = v.Text,
        };
        quote.Topics.AddRange(v.Topics);
        if (v.Score is { } score)
        {
            quote.Score = score;
        }

        return quote;
    }
}
