using Grpc.Core;
using Proactive.Contracts.Notifier.V1;
using Proactive.Notifier.Store;
using Proactive.Notifier.Voice;

namespace Proactive.Notifier.Grpc;

/// <summary>
/// GET /v1/voice/summary?from=&amp;to=: what customers wrote about and how satisfied they were, by
/// whether we told them of the delay. A bad range is refused with InvalidArgument (400 over JSON)
/// naming the field.
/// </summary>
public sealed class VoiceService(NoticeStore store, TimeProvider time) : VoiceSummaries.VoiceSummariesBase
{
    public override async Task<VoiceSummary> GetVoiceSummary(VoiceSummaryRequest request, ServerCallContext context)
    {
        var (range, errors) = VoiceRange.Parse(request.From, request.To, time.GetUtcNow());
        if (range is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)));
        }

        return await store.ReadAsync(
            async reads =>
            {
                var voice = reads.Voice;
                var tallies = new Dictionary<VoiceDimension, List<VoiceTally>>();
                foreach (var dimension in Enum.GetValues<VoiceDimension>())
                {
                    tallies[dimension] = await voice.TallyAsync(dimension, range.From, range.To);
                }

                return VoiceSummaryReport.Build(
                    range,
                    await voice.CountAsync(range.From, range.To),
                    await voice.SurveysAskedAsync(range.From, range.To),
                    tallies,
                    await voice.ScoresByCohortAsync(range.From, range.To),
                    await voice.NewestAsync(range.From, range.To, VoiceSummaryReport.QuoteCount));
            },
            context.CancellationToken);
    }
}
