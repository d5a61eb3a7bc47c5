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

        var notices = await store.Database.ReadAsync(c => NoticeStore.ForOrderAsync(c, null, request.OrderId), context.CancellationToken);
        var response = new ListNoticesResponse { OrderId = request.OrderId };
        response.Notices.AddRange(notices.Select(ToView));
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
            _ => "DELAY",
        },
        Reason = n.Reason,
        Status = n.Status.ToString().ToLowerInvariant(),
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
    };
}
