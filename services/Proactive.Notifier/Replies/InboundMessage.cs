using System.Text;
using System.Text.RegularExpressions;
using Proactive.Notifier.Messages;

namespace Proactive.Notifier.Replies;

/// <summary>What a customer's message asks for: to stop SMS, to start them again, help, or nothing (their own words).</summary>
public enum InboundKind
{
    Text,
    Stop,
    Start,
    Help,
}

/// <summary>
/// How an inbound message is read: Twilio's own verdict (OptOutType, sent by Advanced Opt-Out)
/// first, else the whole body against the keyword table. Pure functions.
/// </summary>
public static partial class InboundMessage
{
    /// <summary>The longest body kept, in characters: Twilio's own limit for one inbound message.</summary>
    public const int MaxBodyChars = 1600;

    // Twilio's default opt-out list (its older FAQ and its current tutorial, which adds REVOKE and
    // OPTOUT: Twilio blocks those too) and the Korean words our Korean customers use.
    private static readonly Dictionary<string, InboundKind> Keywords = new(StringComparer.Ordinal)
    {
        ["STOP"] = InboundKind.Stop,
        ["STOPALL"] = InboundKind.Stop,
        ["UNSUBSCRIBE"] = InboundKind.Stop,
        ["CANCEL"] = InboundKind.Stop,
        ["END"] = InboundKind.Stop,
        ["QUIT"] = InboundKind.Stop,
        ["REVOKE"] = InboundKind.Stop,
        ["OPTOUT"] = InboundKind.Stop,
        ["중지"] = InboundKind.Stop,
        ["수신거부"] = InboundKind.Stop,
        ["START"] = InboundKind.Start,
        ["YES"] = InboundKind.Start,
        ["UNSTOP"] = InboundKind.Start,
        ["HELP"] = InboundKind.Help,
        ["INFO"] = InboundKind.Help,
    };

    // The keywords Twilio itself recognises and confirms (its default opt-out and opt-in lists).
    private static readonly HashSet<string> TwilioKeywords = new(StringComparer.Ordinal)
    {
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "START", "YES", "UNSTOP",
    };

    /// <summary>
    /// Whether Twilio confirmed this STOP or START itself: it did when its Advanced Opt-Out
    /// recognised the message (<paramref name="optOutType"/> present) or the body is one of its
    /// default keywords; a word only we know (중지, 수신거부) we must confirm ourselves.
    /// </summary>
    public static bool TwilioConfirms(string body, string? optOutType) =>
        !string.IsNullOrWhiteSpace(optOutType) || TwilioKeywords.Contains(Keyword(body));

    /// <summary>
    /// The message's kind. <paramref name="optOutType"/> (STOP, START or HELP) wins: Twilio has
    /// already acted on it, whatever word the customer used. Otherwise only a body that is a
    /// keyword as a whole counts ("stop please" is a reply), trimmed, in any case and Unicode form.
    /// </summary>
    public static InboundKind Classify(string body, string? optOutType) =>
        optOutType?.Trim().ToUpperInvariant() switch
        {
            "STOP" => InboundKind.Stop,
            "START" => InboundKind.Start,
            "HELP" => InboundKind.Help,
            _ => Keywords.GetValueOrDefault(Keyword(body), InboundKind.Text),
        };

    /// <summary>The body as compared with the keywords: compatibility-composed (full-width letters, decomposed Hangul), trimmed, upper case.</summary>
    public static string Keyword(string body) => body.Normalize(NormalizationForm.FormKC).Trim().ToUpperInvariant();

    /// <summary>The metric tag of a kind.</summary>
    public static string Name(InboundKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The sender as E.164 ("+821012345678"), the form our notices' recipients are stored in: spaces
    /// and the usual separators dropped. Null for anything else (a short code, a name).
    /// </summary>
    public static string? E164(string from)
    {
        var compact = Separators().Replace(from, "");
        return E164Number().IsMatch(compact) ? compact : null;
    }

    /// <summary>The body as stored: the customer's own words, at most <see cref="MaxBodyChars"/> (never cutting a character in two), without NUL (no database keeps it).</summary>
    public static string Stored(string body)
    {
        var kept = body.Replace('\0', '\uFFFD');
        if (kept.Length <= MaxBodyChars)
        {
            return kept;
        }

        var cut = char.IsHighSurrogate(kept[MaxBodyChars - 1]) ? MaxBodyChars - 1 : MaxBodyChars;
        return kept[..cut];
    }

    /// <summary>The answer to HELP, in the customer's language.</summary>
    public static string HelpText(Language language, string senderName) => language == Language.Korean
        ? $"[{senderName}] 주문 배송 안내 문자입니다. 수신을 원하지 않으시면 중지 또는 STOP, 다시 받으시려면 START라고 답장해 주세요."
        : $"[{senderName}] Delivery updates for your order. Reply STOP to unsubscribe, START to subscribe again.";

    /// <summary>The confirmation of an opt-out (STOP) or an opt-in (START) Twilio did not send, in the customer's language.</summary>
    public static string ConfirmationText(InboundKind kind, Language language, string senderName) => (kind, language) switch
    {
        (InboundKind.Stop, Language.Korean) => $"[{senderName}] 문자 수신이 거부되었습니다. 다시 받으시려면 START라고 답장해 주세요.",
        (InboundKind.Stop, _) => $"[{senderName}] You are unsubscribed and will get no more texts from us. Reply START to subscribe again.",
        (InboundKind.Start, Language.Korean) => $"[{senderName}] 문자 수신이 다시 설정되었습니다. 원하지 않으시면 중지 또는 STOP이라고 답장해 주세요.",
        (InboundKind.Start, _) => $"[{senderName}] You are subscribed again to delivery updates. Reply STOP to unsubscribe.",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only STOP and START are confirmed."),
    };

    [GeneratedRegex(@"[\s\-().]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164Number();
}
