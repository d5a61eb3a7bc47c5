using Google.Protobuf;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Store;
using CarrierExceptionCode = Proactive.Contracts.Events.V1.ShipmentTracking.Types.CarrierException.Types.Code;

namespace Proactive.Notifier.Tests;

/// <summary>The delivery and place fields Tracker publishes, as Notifier reads them.</summary>
public class DeliveredNewsTests
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>A never-late order's delivery, as Tracker writes it (proto3 JSON leaves out the empty episode id and zero count).</summary>
    private const string NeverLate =
        """{"orderId":"A-1","sequence":"1","kind":"DELIVERED","promisedBy":"2026-11-26T12:00:00Z","occurredAt":"2026-11-25T03:00:00Z","deliveredAt":"2026-11-25T02:40:00Z","carrier":"CJ Logistics","shipTo":{"country":"KR","region":"KR-11"},"shipFrom":{"country":"KR"},"customer":{"customerId":"C-1","phone":"+821012345678","locale":"ko-KR"}}""";

    [Fact]
    public void ADeliveredChangeBecomesDeliveredNewsWithItsPlacesAndInstant()
    {
        var news = EpisodeNews.From(Parser.Parse<DelayEpisodeChanged>(NeverLate));

        news.Kind.ShouldBe(EpisodeNewsKind.Delivered);
        news.IsDelivery.ShouldBeTrue();
        news.EpisodeId.ShouldBe("");
        news.EpisodeCount.ShouldBe(0);
        news.Reason.ShouldBe(DelayReason.Unspecified);
        news.Resolution.ShouldBeNull();
        news.DeliveredAt.ShouldBe(new DateTimeOffset(2026, 11, 25, 2, 40, 0, TimeSpan.Zero));
        news.Carrier.ShouldBe("CJ Logistics");
        news.ShipTo.ShouldBe(new ParcelPlace("KR", "KR-11"));
        news.ShipTo!.Name.ShouldBe("KR-11");
        news.ShipFrom.ShouldBe(new ParcelPlace("KR", null));
        news.ShipFrom!.Name.ShouldBe("KR");
    }

    [Fact]
    public void AResolutionByDeliveryCarriesTheEpisodeCountAndIsADelivery()
    {
        var change = Parser.Parse<DelayEpisodeChanged>(NeverLate);
        change.Kind = DelayEpisodeChanged.Types.Kind.Resolved;
        change.Resolution = Resolution.Delivered;
        change.EpisodeId = "A-1/delay-2";
        change.EpisodeCount = 2;
        change.Reason = DelayReason.CarrierException;
        change.ExceptionCode = CarrierExceptionCode.Weather;

        var news = EpisodeNews.From(change);

        news.Kind.ShouldBe(EpisodeNewsKind.Resolved);
        news.IsDelivery.ShouldBeTrue();
        news.EpisodeCount.ShouldBe(2);
        news.ExceptionCode.ShouldBe("WEATHER");
        news.DeliveredAt.ShouldNotBeNull();
        (news with { Resolution = Resolution.Recovered }).IsDelivery.ShouldBeFalse();
    }

    [Fact]
    public void AnOlderTrackersChangeWithoutTheNewFieldsHasNoPlacesNorDelivery()
    {
        var news = EpisodeNews.From(Parser.Parse<DelayEpisodeChanged>(
            """{"orderId":"A-1","episodeId":"A-1/delay-1","sequence":"1","kind":"DETECTED","reason":"ETA_SLIP","promisedBy":"2026-11-26T12:00:00Z","customer":{"customerId":"C-1","locale":"en-US"}}"""));

        news.ShipTo.ShouldBeNull();
        news.ShipFrom.ShouldBeNull();
        news.DeliveredAt.ShouldBeNull();
        news.EpisodeCount.ShouldBe(0);
        news.IsDelivery.ShouldBeFalse();
    }

    [Fact]
    public void DeliveredNewsKeptWithANoticeReadsBackWithItsNewFields()
    {
        var news = EpisodeNews.From(Parser.Parse<DelayEpisodeChanged>(NeverLate)) with { EpisodeCount = 1 };

        var back = NewsJson.Read(NewsJson.Write(news)!)!;

        back.Kind.ShouldBe(EpisodeNewsKind.Delivered);
        back.DeliveredAt.ShouldBe(news.DeliveredAt);
        back.ShipTo.ShouldBe(news.ShipTo);
        back.ShipFrom.ShouldBe(news.ShipFrom);
        back.EpisodeCount.ShouldBe(1);
    }
}
