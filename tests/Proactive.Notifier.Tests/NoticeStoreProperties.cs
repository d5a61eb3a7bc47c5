using System.Buffers;
using System.Text;
using CsCheck;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Store;
using Proactive.ServiceDefaults.Storage;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

/// <summary>Rendered notices of any text the contract accepts are stored and read back as they were: on SQLite.</summary>
public sealed class NoticeStorePropertiesOnSqlite : NoticeStoreProperties
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class NoticeStorePropertiesOnPostgres : NoticeStoreProperties
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

public abstract class NoticeStoreProperties : NotifierDatabaseTests
{
    private static readonly SearchValues<char> IdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    /// <summary>Text as validation lets it in: any unicode but C0 controls and lone surrogates.</summary>
    private static readonly Gen<string> AcceptedText = RenderingProperties.AnyText.Where(IsAccepted);

    /// <summary>An id as validation lets it in: up to 128 characters of [A-Za-z0-9._:-].</summary>
    private static readonly Gen<string> AcceptedId = RenderingProperties.Piece.Array[1, 40]
        .Select(p => new string(string.Concat(p).Where(c => IdCharacters.Contains(c)).Take(120).ToArray()))
        .Where(id => id.Length > 0);

    private static readonly Gen<EpisodeNews> AcceptedNews = Gen.Select(
        AcceptedId,
        Gen.OneOf(RenderingProperties.Reasons),
        RenderingProperties.Instant,
        RenderingProperties.Instant.Nullable(0.2),
        AcceptedText.Null(0.1),
        Gen.OneOf("ko-KR", "en-US", "fr"),
        Gen.OneOf(RenderingProperties.Zones),
        Gen.Frequency((3, AcceptedText.Select(s => "https://shop.example/" + s)), (1, AcceptedText.Select(s => "https://evil.example/" + s))),
        (orderId, reason, promised, eta, name, locale, zone, url) => new EpisodeNews(
            orderId, $"{orderId}/delay-1", 1, EpisodeNewsKind.Detected, reason, null, false, promised, eta,
            new CustomerContact("C-1", name, "+821012345678", "c@example.com", locale, zone, [Channel.Sms, Channel.Email]), url, null, null));

    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static int sequence;

    [Fact]
    public async Task RenderedNoticesOfAnyAcceptedTextAreStoredAndReadBackAsTheyWere()
    {
        var options = new NoticePolicyOptions { AllowedLinkHosts = ["shop.example"] };
        await Gen.Select(AcceptedNews, Gen.Enum<NoticeKind>(), Gen.Enum<Channel>(), Gen.Double[0, 1].Nullable(0.3)).SampleAsync(
            async (news, kind, channel, probability) =>
            {
                news = news with { PredictedProbability = probability, RecordOnly = probability > 0.5 };
                var message = NoticeRenderer.Render(channel, kind, news, options);
                var seq = Interlocked.Increment(ref sequence);
                var notice = new NoticeRecord(
                    NoticeRecord.IdFor(news.EpisodeId, seq, channel), news.OrderId, news.EpisodeId, seq, channel, kind, news.Reason, NoticeStatus.Pending,
                    message.Notes, Now, Now, null, 0, null, null, news.Customer.AddressFor(channel)!, news.Customer.Locale,
                    message.Subject, message.Text, message.Html, news.EstimatedDeliveryAt, false, news.Customer.CustomerId, news, Notes: message.Notes,
                    PredictedProbability: probability);

                await Store.ApplyAsync(NoticeLifecycle.Decide(notice), TestContext.Current.CancellationToken);
                var back = (await Store.ReadAsync(reads => reads.NoticesForOrderAsync(news.OrderId), TestContext.Current.CancellationToken))
                    .Single(n => n.NoticeId == notice.NoticeId);

                back.OrderId.ShouldBe(notice.OrderId);
                back.Subject.ShouldBe(notice.Subject);
                back.Text.ShouldBe(notice.Text);
                back.Html.ShouldBe(notice.Html);
                back.Notes.ShouldBe(notice.Notes);
                back.Kind.ShouldBe(kind);
                back.PredictedProbability.ShouldBe(probability);
                back.News!.PredictedProbability.ShouldBe(probability);
                back.News.RecordOnly.ShouldBe(news.RecordOnly);
                back.News.ShouldNotBeNull();
                back.News.Customer.Name.ShouldBe(news.Customer.Name);
                back.News.TrackingUrl.ShouldBe(news.TrackingUrl);
                back.News.PromisedBy.ShouldBe(news.PromisedBy);
                back.News.EstimatedDeliveryAt.ShouldBe(news.EstimatedDeliveryAt);
                back.EstimatedDeliveryAt?.ToUnixTimeMilliseconds().ShouldBe(news.EstimatedDeliveryAt!.Value.ToUnixTimeMilliseconds());
            },
            iter: 150,
            threads: 1);
    }

    private static bool IsAccepted(string text)
    {
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != OperationStatus.Done || rune.Value < 0x20)
            {
                return false;
            }

            span = span[consumed..];
        }

        return true;
    }
}
