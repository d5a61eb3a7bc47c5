using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proactive.Contracts.Notifier.V1;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Grpc;

/// <summary>GET /v1/orders/{orderId}/notices: why did (or didn't) this customer hear from us?</summary>
public sealed class NoticeLedgerService(NoticeStore store) : NoticeLedger.NoticeLedgerBase
{
    public override async Task<ListNoticesResponse> ListNotices(ListNoticesRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.OrderId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "order_id is required"));
        }

        var (notices, attempts, receipts) = await store.ReadAsync(
            async reads => (
                await reads.NoticesForOrderAsync(request.OrderId),
                await reads.AttemptsForOrderAsync(request.OrderId),
                await reads.ReceiptsForOrderAsync(request.OrderId)),
            context.CancellationToken);
        var byNotice = attempts.ToLookup(a => a.NoticeId);
        var receiptsByNotice = receipts.ToLookup(r => r.NoticeId);
        var response = new ListNoticesResponse { OrderId = request.OrderId };
        foreach (var notice in notices)
        {
            var view = ToView(notice);
            if (notice.PredictedProbability is { } probability)
            {
                view.PredictedProbability = probability;
            }

            view.AttemptLog.AddRange(byNotice[notice.NoticeId].Select(a => new AttemptView
            {
                Attempt = a.Attempt,
                At = Timestamp.FromDateTimeOffset(a.At),
                Outcome = a.Outcome,
                ProviderCode = a.ProviderCode ?? "",
                Detail = a.Detail ?? "",
            }));
            view.Receipts.AddRange(receiptsByNotice[notice.NoticeId].Select(r => new ReceiptView
            {
                Provider = r.Provider,
                Status = r.Status,
                Code = r.Code ?? "",
                OccurredAt = r.OccurredAt is { } occurred ? Timestamp.FromDateTimeOffset(occurred) : null,
                ReceivedAt = Timestamp.FromDateTimeOffset(r.ReceivedAt),
                Detail = Redact.Text(r.Detail),
            }));
            response.Notices.Add(view);
        }

        return response;
    }

    private static NoticeView ToView(NoticeRecord n) => new()
    {
        NoticeId = n.NoticeId,
        OrderId = n.OrderId,
        EpisodeId = n.EpisodeId,
        Sequence = (int)n.Sequence,
        Channel = n.Channel.ToString().ToUpperInvariant(),
        Kind = n.Kind switch
        {
            NoticeKind.FurtherDelay => "FURTHER_DELAY",
            NoticeKind.ActionRequired => "ACTION_REQUIRED",
            NoticeKind.BackOnTrack => "BACK_ON_TRACK",
            NoticeKind.AtRisk => "AT_RISK",
            NoticeKind.Survey => "SURVEY",
            _ => "DELAY",
        },
        Reason = Contracts.WireName.Of(n.Reason),
        Status = NoticeLifecycle.Name(n.Status),
        Why = n.Why ?? "",
        DecidedAt = Timestamp.FromDateTimeOffset(n.DecidedAt),
        ScheduledAt = n.ScheduledAt is { } s ? Timestamp.FromDateTimeOffset(s) : null,
        SentAt = n.SentAt is { } sent ? Timestamp.FromDateTimeOffset(sent) : null,
        Attempts = n.Attempts,
        ProviderMessageId = n.ProviderMessageId ?? "",
        ProviderCode = n.ProviderCode ?? "",
        Recipient = n.Channel == Channel.Sms ? Redact.Phone(n.Recipient) : Redact.Email(n.Recipient),
        Locale = n.Locale,
        Subject = n.Subject ?? "",
        Text = n.Text,
        EstimatedDeliveryAt = n.EstimatedDeliveryAt is { } eta ? Timestamp.FromDateTimeOffset(eta) : null,
        FallbackFor = n.FallbackFor ?? "",
        Notes = n.Notes ?? "",
        Template = n.Template ?? "",
    };
}
