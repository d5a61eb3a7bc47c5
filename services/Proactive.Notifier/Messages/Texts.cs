using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier.Messages;

/// <summary>
/// Every phrase of a notice, per language. Korean aims at one UCS-2 segment for the SMS core. The
/// order id comes in its safe form (<see cref="SafeText.OrderReference"/>), or null when none is left.
/// </summary>
internal sealed record Texts(
    Func<DelayReason, string?, string> What,
    Func<string?, string> OrderLabel,
    Func<string, string> EstimateShort,
    Func<string, string> EstimateLong,
    Func<string, string> PromisedLine,
    Func<string, string> TrackLine,
    Func<string?, string> Greeting,
    Func<NoticeKind, string?, string> Subject,
    Func<string?, string> AtRiskSubject,
    Func<string?, string> MayArriveLater,
    string NoEstimate,
    string Watching,
    string HeardFromUsFirst,
    string Again,
    string Sorry,
    string SorryLong,
    string ThanksForHelp,
    string TrackButton,
    string BackOnTrack,
    string ThanksForPatience)
{
    public static readonly Texts English = new(
        What: (reason, code) => (reason, code) switch
        {
            (DelayReason.CarrierException, "WEATHER") => "bad weather has delayed your delivery.",
            (DelayReason.CarrierException, "CARRIER_DELAY") => "the carrier has delayed your delivery.",
            (DelayReason.CarrierException, "CUSTOMS") => "your parcel is held up in customs.",
            (DelayReason.CarrierException, "DAMAGED") => "your parcel was damaged in transit. Our team will contact you.",
            (DelayReason.CarrierException, "LOST") => "your parcel was lost in transit. Our team will contact you.",
            (DelayReason.CarrierException, "ADDRESS_ISSUE") => "the carrier cannot deliver to your address. Please check it.",
            (DelayReason.CarrierException, _) => "a carrier problem has delayed your delivery.",
            (DelayReason.DeliveryAttempted, _) => "the carrier tried to deliver but could not.",
            (DelayReason.NotShipped, _) => "your order has not shipped yet.",
            (DelayReason.MissedPromise, _) => "your order did not arrive by the promised date.",
            (DelayReason.PromiseAtRisk, _) => "your order may not arrive by the promised date; we are watching it closely.",
            (DelayReason.ReturnedToSender, _) => "your parcel is being returned to us. Our team will contact you.",
            (DelayReason.Stalled, _) => "your parcel has had no tracking update for a while.",
            _ => "your delivery is running late.",
        },
        OrderLabel: id => $"Order{Ref(id)}:",
        EstimateShort: date => $"New estimate: {date}.",
        EstimateLong: date => $"New estimated delivery: {date}",
        PromisedLine: date => $"We promised delivery by: {date}",
        TrackLine: url => $"Track your order: {url}",
        Greeting: name => string.IsNullOrWhiteSpace(name) ? "Hello," : $"Hello {name},",
        Subject: (kind, id) => kind switch
        {
            NoticeKind.ActionRequired => $"Action needed: check the delivery address for order{Ref(id)}",
            NoticeKind.FurtherDelay => $"Update: order{Ref(id)} is delayed further",
            NoticeKind.BackOnTrack => $"Good news: order{Ref(id)} is back on track",
            _ => $"Your order{Ref(id)} is delayed",
        },
        AtRiskSubject: id => $"Your order{Ref(id)} may arrive late",
        MayArriveLater: date => date is null
            ? "your order may arrive later than promised."
            : $"your order may arrive later than promised, now expected around {date}.",
        NoEstimate: "We will tell you the new date as soon as we know it.",
        Watching: "We are keeping a close eye on it.",
        HeardFromUsFirst: "We wanted you to hear it from us first.",
        Again: "Update:",
        Sorry: "Sorry for the wait.",
        SorryLong: "We are sorry for the wait, and we wanted you to hear it from us first.",
        ThanksForHelp: "Thank you for helping us get your order to you.",
        TrackButton: "Track your order",
        BackOnTrack: "good news: your delivery is back on track.",
        ThanksForPatience: "Thank you for your patience.");

    public static readonly Texts Korean = new(
        What: (reason, code) => (reason, code) switch
        {
            (DelayReason.CarrierException, "WEATHER") => "기상 악화로 배송이 늦어지고 있어요.",
            (DelayReason.CarrierException, "CARRIER_DELAY") => "택배사 사정으로 배송이 늦어지고 있어요.",
            (DelayReason.CarrierException, "CUSTOMS") => "통관이 늦어지고 있어요.",
            (DelayReason.CarrierException, "DAMAGED") => "배송 중 상품이 파손됐어요. 곧 연락드릴게요.",
            (DelayReason.CarrierException, "LOST") => "배송 중 상품이 분실됐어요. 곧 연락드릴게요.",
            (DelayReason.CarrierException, "ADDRESS_ISSUE") => "배송지 주소 확인이 필요해요. 주소를 확인해 주세요.",
            (DelayReason.CarrierException, _) => "택배사 문제로 배송이 늦어지고 있어요.",
            (DelayReason.DeliveryAttempted, _) => "배송 기사님이 방문했지만 전달하지 못했어요.",
            (DelayReason.NotShipped, _) => "아직 출고되지 않았어요.",
            (DelayReason.MissedPromise, _) => "약속드린 날짜까지 도착하지 못했어요.",
            (DelayReason.PromiseAtRisk, _) => "약속드린 날짜까지 도착하지 못할 수도 있어요. 계속 확인하고 있어요.",
            (DelayReason.ReturnedToSender, _) => "상품이 반송되고 있어요. 곧 연락드릴게요.",
            (DelayReason.Stalled, _) => "한동안 배송 조회 정보가 업데이트되지 않고 있어요.",
            _ => "배송이 늦어지고 있어요.",
        },
        OrderLabel: id => $"주문{Ref(id)}",
        EstimateShort: date => $"새 도착 예정일: {date}.",
        EstimateLong: date => $"새 도착 예정일: {date}",
        PromisedLine: date => $"약속드린 도착일: {date}",
        TrackLine: url => $"배송 조회: {url}",
        Greeting: name => string.IsNullOrWhiteSpace(name) ? "안녕하세요," : $"{name}님, 안녕하세요.",
        Subject: (kind, id) => kind switch
        {
            NoticeKind.ActionRequired => $"[확인 요청] 주문{Ref(id)} 배송지 주소를 확인해 주세요",
            NoticeKind.FurtherDelay => $"[추가 지연] 주문{Ref(id)} 배송 안내",
            NoticeKind.BackOnTrack => $"[좋은 소식] 주문{Ref(id)} 배송이 정상화됐어요",
            _ => $"주문{Ref(id)} 배송 지연 안내",
        },
        AtRiskSubject: id => $"주문{Ref(id)} 배송 지연 가능성 안내",
        MayArriveLater: date => date is null
            ? "약속드린 날짜보다 늦게 도착할 수도 있어요."
            : $"약속드린 날짜보다 늦게 도착할 수도 있어요. 지금 예상 도착일은 {date}쯤이에요.",
        NoEstimate: "새 도착일이 정해지면 알려드릴게요.",
        Watching: "계속 확인하고 있어요.",
        HeardFromUsFirst: "미리 알려드리고 싶었어요.",
        Again: "[추가 지연]",
        Sorry: "죄송합니다.",
        SorryLong: "기다리게 해드려 죄송합니다. 먼저 알려드리고 싶었어요.",
        ThanksForHelp: "빠른 배송을 위해 도와주셔서 감사합니다.",
        TrackButton: "배송 조회하기",
        BackOnTrack: "좋은 소식이에요. 배송이 다시 정상적으로 진행되고 있어요.",
        ThanksForPatience: "기다려 주셔서 감사합니다.");

    private static string Ref(string? id) => id is null ? "" : " " + id;
}
