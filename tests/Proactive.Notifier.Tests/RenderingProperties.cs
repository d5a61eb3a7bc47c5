using System.Text.RegularExpressions;
using CsCheck;
using NodaTime;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Messages;

namespace Proactive.Notifier.Tests;

/// <summary>
/// Generated news from the whole space the contract can deliver — and beyond it: any kind, reason,
/// exception code, channel, locale and tzdb zone, instants from year 1 to 9999, ids, names and links
/// of arbitrary unicode and length. Whatever comes, the renderer returns a message, the SMS keeps to
/// its segment limit, no link leads off the shop's hosts, and the order id shows only in its safe form.
/// </summary>
public partial class RenderingProperties
{
    private const string Shop = "shop.example";

    internal static readonly DelayReason[] Reasons =
        [DelayReason.EtaSlip, DelayReason.CarrierException, DelayReason.DeliveryAttempted, DelayReason.ReturnedToSender, DelayReason.NotShipped, DelayReason.MissedPromise, DelayReason.Stalled, DelayReason.PromiseAtRisk, DelayReason.PredictedLate];

    internal static readonly string[] ExceptionCodes = ["WEATHER", "CARRIER_DELAY", "ADDRESS_ISSUE", "CUSTOMS", "DAMAGED", "LOST", "OTHER"];

    internal static readonly string[] Zones = [.. DateTimeZoneProviders.Tzdb.Ids, "", "Not/AZone", "utc", "+09:00"];

    /// <summary>Pieces a hostile or careless upstream might send, joined at random.</summary>
    internal static readonly Gen<string> Piece = Gen.Frequency(
        (4, Gen.Char["ABCXYZabcxyz0123456789-_"].Array[1, 8].Select(c => new string(c))),
        (3, Gen.OneOf(".", "/", ":", "@", " ", "  ", "\\", "。", "․", "..", "%", "&", "<", ">", "\"", "'", "€", "{}")),
        (2, Gen.OneOf("https://", "http://", "evil.example", "www.", "ACCOUNT LOCKED, verify at ", "010-1234-5678", "+821012345678", "주문")),
        (1, Gen.OneOf("\u202E", "\u200B", "\u0000", "\n", "\r\n", "\t", "\u001B", "\u0085", "\u2028", "\uFEFF", "\uFFFD")),
        (2, Gen.Char['가', '힣'].Array[1, 6].Select(c => new string(c))),
        (1, Gen.Int[0x1F300, 0x1FAFF].Select(char.ConvertFromUtf32)),
        (1, Gen.Int[0, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32)),
        (1, Gen.Char.Select(c => c.ToString())));

    /// <summary>Any text: short ones mostly, sometimes thousands of characters.</summary>
    internal static readonly Gen<string> AnyText = Gen.Frequency(
        (10, Piece.Array[0, 10].Select(string.Concat)),
        (1, Piece.Array[200, 2500].Select(string.Concat)),
        (1, Gen.Int[1, 20_000].Select(n => new string('7', n))));

    internal static readonly Gen<DateTimeOffset> Instant = Gen.Frequency(
        (4, Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks].Select(t => new DateTimeOffset(t, TimeSpan.Zero))),
        (2, Gen.OneOf(
            DateTimeOffset.MinValue,
            DateTimeOffset.MaxValue,
            new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
            new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(1, 1, 1, 23, 59, 59, TimeSpan.Zero),
            new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero))),
        (4, Gen.Long[0, 2 * TimeSpan.TicksPerDay * 366].Select(t => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(t))));

    private static readonly Gen<string?> TrackingUrl = Gen.Frequency(
        (1, Gen.Const((string?)null)),
        (1, Gen.Const((string?)"")),
        (4, AnyText.Select(s => (string?)$"https://{Shop}/orders/{s}")),
        (2, AnyText.Select(s => (string?)$"https://track.{Shop}/{s}")),
        (2, Gen.OneOf("https://evil.example/", "https://shop.example.evil.example/", "https://evilshop.example/", "https://shop.example@evil.example/",
            "http://shop.example/", "https://93.184.216.34/", "https://[::1]/", "javascript:alert(1)//shop.example", "https://xn--80ak6aa92e.com/",
            "https://shop.example%2eevil.example/", "https://shop.example\\@evil.example/", "https://shop。example/").Select(s => (string?)s)),
        (2, AnyText.Select(s => (string?)s)));

    private static readonly Gen<string> Locale = Gen.Frequency(
        (3, Gen.OneOf("ko", "ko-KR", "KO-kr", "en-US", "en", "fr-FR", "", "ko-", "x", "zh-Hant-TW")),
        (1, AnyText));

    private static readonly Gen<CustomerContact> Customer = Gen.Select(
        AnyText.Null(0.1),
        Locale,
        Gen.OneOf(Zones).Null(0.1),
        (name, locale, zone) => new CustomerContact("C-1", name, "+821012345678", "c@example.com", locale, zone, [Channel.Sms, Channel.Email]));

    private static readonly Gen<EpisodeNews> News = Gen.Select(
        AnyText,
        Gen.Enum<EpisodeNewsKind>(),
        Gen.Frequency((6, Gen.OneOf(Reasons)), (1, Gen.Int.Select(n => (DelayReason)n))),
        Gen.Frequency((3, Gen.OneOf(ExceptionCodes).Null(0.3)), (1, AnyText.Null(0.5))),
        Instant,
        Instant.Nullable(0.2),
        Customer,
        TrackingUrl,
        (orderId, kind, reason, code, promised, eta, customer, url) => new EpisodeNews(
            orderId, $"{orderId}/delay-1", 1, kind, reason, code, code == "ADDRESS_ISSUE", promised, eta, customer, url, "CJ Logistics", null));

    private static readonly Gen<NoticePolicyOptions> Options = Gen.Select(
        Gen.Int[1, 4],
        Gen.OneOf("Shop", "Proactive", "쇼핑몰", new string('S', 200)),
        (segments, sender) => new NoticePolicyOptions { MaxSmsSegments = segments, SenderName = sender, AllowedLinkHosts = [Shop] });

    [Fact]
    public void RenderingNeverFailsKeepsTheSegmentLimitAndLinksOnlyToTheShop()
    {
        Gen.Select(News, Gen.Enum<NoticeKind>(), Gen.Enum<Channel>(), Options).Sample(
            (news, kind, channel, options) =>
            {
                var message = NoticeRenderer.Render(channel, kind, news, options);

                message.Text.ShouldNotBeNull();
                if (channel == Channel.Sms)
                {
                    SmsSegments.Count(message.Text).ShouldBeLessThanOrEqualTo(options.MaxSmsSegments);
                }
                else
                {
                    message.Subject.ShouldNotBeNullOrEmpty();
                    message.Html.ShouldNotBeNullOrEmpty();
                }

                foreach (var part in new[] { message.Subject, message.Text, message.Html })
                {
                    OnlyShopLinks(part ?? "");
                }

                OrderIdOnlyInItsSafeForm(news.OrderId, channel, message);
            },
            iter: 4000,
            threads: 1);
    }

    /// <summary>Every link goes to the shop, and nothing else in the message reads as a link or a domain.</summary>
    private static void OnlyShopLinks(string text)
    {
        foreach (var link in Link().Matches(text).Select(m => m.Value).Concat(Href().Matches(text).Select(m => m.Groups[1].Value)))
        {
            var url = System.Net.WebUtility.HtmlDecode(link);
            Uri.TryCreate(url, UriKind.Absolute, out var uri).ShouldBeTrue(url);
            uri!.Scheme.ShouldBe("https", url);
            uri.UserInfo.ShouldBeEmpty(url);
            (uri.Host == Shop || uri.Host.EndsWith("." + Shop, StringComparison.Ordinal)).ShouldBeTrue(url);
        }

        var rest = Link().Replace(text, " ");
        Domain().IsMatch(rest).ShouldBeFalse(rest);
        rest.ShouldNotContain("://");
    }

    /// <summary>
    /// The id shows only as its safe form: the subject carries it, and where the raw id holds an
    /// unsafe character between safe ones (a dot, a space, a slash), that stretch never shows in the
    /// SMS or the subject outside the link.
    /// </summary>
    private static void OrderIdOnlyInItsSafeForm(string orderId, Channel channel, RenderedMessage message)
    {
        var safe = SafeText.OrderReference(orderId);
        if (message.Subject is { } subject && safe is not null)
        {
            subject.ShouldContain(safe);
        }

        var core = orderId.AsSpan();
        while (!core.IsEmpty && !IsSafe(core[0]))
        {
            core = core[1..];
        }

        while (!core.IsEmpty && !IsSafe(core[^1]))
        {
            core = core[..^1];
        }

        if (core.ContainsAnyExcept(SafeCharacters))
        {
            // The email's text also greets by name, which may hold the same words; the SMS does not.
            var parts = channel == Channel.Sms ? message.Text : message.Subject;
            Link().Replace(parts ?? "", " ").ShouldNotContain(core.ToString());
        }
    }

    private static readonly System.Buffers.SearchValues<char> SafeCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static bool IsSafe(char c) => SafeCharacters.Contains(c);

    [Fact]
    public void AnyDateInAnyZoneRendersOrIsLeftOut()
    {
        Gen.Select(Instant, Gen.OneOf(Zones)).Sample(
            (at, zone) =>
            {
                if (LocalDates.InZone(at, zone) is { } date)
                {
                    LocalDates.Short(date, Language.Korean).ShouldNotBeEmpty();
                    LocalDates.Long(date, Language.English).ShouldNotBeEmpty();
                }
            },
            iter: 4000,
            threads: 1);
    }

    [Fact]
    public void TruncationAlwaysKeepsTheLimit()
    {
        Gen.Select(AnyText, Gen.Int[1, 5]).Sample(
            (text, limit) =>
            {
                var cut = SmsSegments.Truncate(text, limit);
                SmsSegments.Count(cut).ShouldBeLessThanOrEqualTo(limit);
                (cut == text || text.StartsWith(cut[..^3].TrimEnd(), StringComparison.Ordinal)).ShouldBeTrue();
            },
            iter: 2000,
            threads: 1);
    }

    // A URL as a customer's phone or mail client would spot it (in HTML, up to the closing quote).
    [GeneratedRegex("""(?i)\b(https?|ftp)://[^\s"<>]+""")]
    private static partial Regex Link();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();

    // Something a phone would turn into a link: a label, a dot (or a full stop that reads as one), a label.
    [GeneratedRegex(@"[\p{L}\p{N}-][.\u3002\uFF0E\uFF61\u2024\uFE52][\p{L}\p{N}]")]
    private static partial Regex Domain();
}
