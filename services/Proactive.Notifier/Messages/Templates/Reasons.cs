using Proactive.Contracts.Tracker.V1;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>
/// The <c>reason</c> a template shows: what happened, one sentence in the customer's language
/// (Korean and English are <see cref="Texts"/>'s, the others written for each language). For
/// back-on-track and at-risk notices it is the news itself (back on track; may arrive later).
/// </summary>
public static class Reasons
{
    public static string For(string language, NoticeKind kind, DelayReason reason, string? code) => kind switch
    {
        NoticeKind.BackOnTrack => BackOnTrack(language),
        NoticeKind.AtRisk => MayArriveLater(language),
        _ => What(language, reason, code),
    };

    /// <summary>The sentence an SMS falls back to when the detailed one does not fit.</summary>
    public static string Generic(string language, NoticeKind kind) => For(language, kind, DelayReason.Unspecified, null);

    private static string BackOnTrack(string language) => language switch
    {
        "ko" => Texts.Korean.BackOnTrack,
        "ja" => "朗報です。配送は通常どおり進んでいます。",
        "pt-BR" => "boa notícia: sua entrega voltou ao prazo.",
        "es" => "buenas noticias: tu envío vuelve a ir según lo previsto.",
        _ => Texts.English.BackOnTrack,
    };

    private static string MayArriveLater(string language) => language switch
    {
        "ko" => Texts.Korean.MayArriveLater(null),
        "ja" => "お約束の日より遅れて届く可能性があります。",
        "pt-BR" => "seu pedido pode chegar depois da data prometida.",
        "es" => "tu pedido podría llegar después de la fecha prometida.",
        _ => Texts.English.MayArriveLater(null),
    };

    private static string What(string language, DelayReason reason, string? code) => language switch
    {
        "ko" => Texts.Korean.What(reason, code),
        "ja" => (reason, code) switch
        {
            (DelayReason.CarrierException, "WEATHER") => "悪天候のため配送が遅れています。",
            (DelayReason.CarrierException, "CARRIER_DELAY") => "配送業者の都合により配送が遅れています。",
            (DelayReason.CarrierException, "CUSTOMS") => "税関での手続きに時間がかかっています。",
            (DelayReason.CarrierException, "DAMAGED") => "輸送中に商品が破損しました。担当者よりご連絡します。",
            (DelayReason.CarrierException, "LOST") => "輸送中に荷物が紛失しました。担当者よりご連絡します。",
            (DelayReason.CarrierException, "ADDRESS_ISSUE") => "お届け先の住所に配達できません。ご住所をご確認ください。",
            (DelayReason.CarrierException, _) => "配送業者のトラブルにより配送が遅れています。",
            (DelayReason.DeliveryAttempted, _) => "配達に伺いましたが、お届けできませんでした。",
            (DelayReason.NotShipped, _) => "ご注文の商品はまだ発送されていません。",
            (DelayReason.MissedPromise, _) => "お約束の日までにお届けできませんでした。",
            (DelayReason.PromiseAtRisk, _) => "お約束の日までに届かない可能性があります。引き続き確認しています。",
            (DelayReason.ReturnedToSender, _) => "荷物が当店へ返送されています。担当者よりご連絡します。",
            (DelayReason.Stalled, _) => "しばらく配送状況が更新されていません。",
            _ => "配送が遅れています。",
        },
        "pt-BR" => (reason, code) switch
        {
            (DelayReason.CarrierException, "WEATHER") => "o mau tempo atrasou sua entrega.",
            (DelayReason.CarrierException, "CARRIER_DELAY") => "a transportadora atrasou sua entrega.",
            (DelayReason.CarrierException, "CUSTOMS") => "seu pacote está retido na alfândega.",
            (DelayReason.CarrierException, "DAMAGED") => "seu pacote foi danificado no transporte. Nossa equipe vai entrar em contato.",
            (DelayReason.CarrierException, "LOST") => "seu pacote foi extraviado no transporte. Nossa equipe vai entrar em contato.",
            (DelayReason.CarrierException, "ADDRESS_ISSUE") => "a transportadora não conseguiu entregar no seu endereço. Confira-o, por favor.",
            (DelayReason.CarrierException, _) => "um problema na transportadora atrasou sua entrega.",
            (DelayReason.DeliveryAttempted, _) => "a transportadora tentou entregar, mas não conseguiu.",
            (DelayReason.NotShipped, _) => "seu pedido ainda não foi enviado.",
            (DelayReason.MissedPromise, _) => "seu pedido não chegou até a data prometida.",
            (DelayReason.PromiseAtRisk, _) => "seu pedido pode não chegar até a data prometida; estamos acompanhando de perto.",
            (DelayReason.ReturnedToSender, _) => "seu pacote está voltando para nós. Nossa equipe vai entrar em contato.",
            (DelayReason.Stalled, _) => "seu pacote está há algum tempo sem atualização de rastreio.",
            _ => "sua entrega está atrasada.",
        },
        "es" => (reason, code) switch
        {
            (DelayReason.CarrierException, "WEATHER") => "el mal tiempo ha retrasado tu envío.",
            (DelayReason.CarrierException, "CARRIER_DELAY") => "la empresa de transporte ha retrasado tu envío.",
            (DelayReason.CarrierException, "CUSTOMS") => "tu paquete está retenido en la aduana.",
            (DelayReason.CarrierException, "DAMAGED") => "tu paquete se dañó durante el transporte. Nuestro equipo se pondrá en contacto contigo.",
            (DelayReason.CarrierException, "LOST") => "tu paquete se perdió durante el transporte. Nuestro equipo se pondrá en contacto contigo.",
            (DelayReason.CarrierException, "ADDRESS_ISSUE") => "la empresa de transporte no puede entregar en tu dirección. Revísala, por favor.",
            (DelayReason.CarrierException, _) => "un problema de la empresa de transporte ha retrasado tu envío.",
            (DelayReason.DeliveryAttempted, _) => "el repartidor intentó entregar tu pedido, pero no pudo.",
            (DelayReason.NotShipped, _) => "tu pedido aún no se ha enviado.",
            (DelayReason.MissedPromise, _) => "tu pedido no llegó en la fecha prometida.",
            (DelayReason.PromiseAtRisk, _) => "puede que tu pedido no llegue en la fecha prometida; lo estamos siguiendo de cerca.",
            (DelayReason.ReturnedToSender, _) => "tu paquete nos está siendo devuelto. Nuestro equipo se pondrá en contacto contigo.",
            (DelayReason.Stalled, _) => "tu paquete lleva un tiempo sin actualizaciones de seguimiento.",
            _ => "tu envío se está retrasando.",
        },
        _ => Texts.English.What(reason, code),
    };
}
