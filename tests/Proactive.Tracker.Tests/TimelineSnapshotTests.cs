using System.Text;
using CsCheck;
using Proactive.Contracts.Events.V1;
using Proactive.Tracker.Timeline;
using static Proactive.Tests.Shared.ContractEvents;
using static Proactive.Tracker.Tests.OrderHistories;

namespace Proactive.Tracker.Tests;

public class TimelineSnapshotTests
{
    private static readonly DateTimeOffset Kathmandu = new DateTimeOffset(2026, 11, 23, 23, 59, 59, TimeSpan.FromMinutes(345)).AddTicks(1_234_567);
    private static readonly DateTimeOffset Newfoundland = new DateTimeOffset(2026, 11, 24, 0, 0, 1, TimeSpan.FromMinutes(-210)).AddTicks(1);

    [Fact]
    public void EveryMemberComesBackExactly()
    {
        var customer = new Customer
        {
            CustomerId = "C-1",
            Name = "김민지 \"Min\" <&> \\ \u0001 \u2028 🎉",
            Phone = KoreanPhone,
            Email = KoreanEmail,
            Locale = "ko-KR",
            TimeZone = "Asia/Seoul",
            Channels = { Channel.Sms, Channel.Email },
        };
        var statuses = Enum.GetValues<ShipmentStatus>();
        var codes = Enum.GetValues<CarrierExceptionCode>();
        var shipments = statuses.Select((status, i) => new ShipmentState(
            $"S-{i}",
            i % 2 == 0 ? "CJ 대한통운" : null,
            i % 3 == 0 ? null : $"55-{i}",
            status,
            i == 1 ? null : Kathmandu.AddDays(i),
            i % 2 == 1 ? Newfoundland.AddDays(i) : null,
            i == 2 ? "Daejeon \"Hub\"" : null,
            codes[i % codes.Length],
            i == 3 ? "express" : null,
            i == 4 ? new Place("KR", null, "48058") : null,
            i == 5 ? DateTimeOffset.MaxValue : Newfoundland)).ToList();
        shipments.Add(ShipmentState.Unknown("S-9"));
        var state = new TimelineState(
            new OrderTimeline(
                "주문-1:x",
                new OrderTerms(Kathmandu, Newfoundland, customer, "https://shop.example/o?a=1&b=%3C2%3E", DateTimeOffset.MinValue, new Place("KR", "KR-26", "48058"), new Place("BR", null, null), "셀러 🎉"),
                Newfoundland.AddYears(1),
                shipments,
                Kathmandu.AddMinutes(-1)),
            new TimelineKey(Kathmandu, "shop-orders", "ü-1"),
            42);

        TimelineSnapshot.Read(TimelineSnapshot.Write(state)).ShouldBeSame(state);
    }

    [Fact]
    public void AnOrderBeforeAnyEventComesBack()
    {
        var state = TimelineState.Start(Order);

        TimelineSnapshot.Read(TimelineSnapshot.Write(state)).ShouldBeSame(state);
    }

    [Fact]
    public void TermsWithoutOptionalMembersComeBackWithout()
    {
        var state = TimelineState.Fold(Order, [Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3)))]);
        var bare = state with { Timeline = state.Timeline with { Terms = state.Timeline.Terms! with { TrackingUrl = null, ShipBy = null } } };

        TimelineSnapshot.Read(TimelineSnapshot.Write(bare)).ShouldBeSame(bare);
    }

    [Fact]
    public void AnyHistoryComesBack()
    {
        History.Sample(
            history =>
            {
                var state = TimelineState.Fold(Order, history);
                TimelineSnapshot.Read(TimelineSnapshot.Write(state)).ShouldBeSame(state);
            },
            iter: 1000);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"v\":\"1\",\"o\":\"A-7\",\"n\":0}")]
    [InlineData("{\"v\":1}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"k\":[\"2026-11-23T09:00:00+09:00\",\"s\",\"i\"]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[\"yesterday\",\"s\",\"i\"]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":-1}")]
    [InlineData("{\"v\":1,\"o\":null,\"n\":0}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"s\":[{\"id\":\"S-1\",\"s\":\"Lost\"}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"s\":[{\"id\":\"S-1\",\"s\":\"1\"}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"s\":[{\"id\":\"S-1\",\"s\":\"Created, InTransit\"}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"s\":[{\"id\":\"S-2\",\"s\":\"Created\"},{\"id\":\"S-1\",\"s\":\"Created\"}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"t\":{\"pb\":\"2026-11-23T09:00:00Z\",\"a\":\"2026-11-23T09:00:00Z\",\"cu\":{\"nope\":1}}}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"t\":{\"pb\":\"2026-11-23T09:00:00Z\",\"a\":\"2026-11-23T09:00:00Z\",\"sf\":[\"KR\"]}}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564801,\"ks\":[[1795564801,\"s\",\"j\"],null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"ks\":[1,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"ks\":[0,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"Created\",\"e\":1795996800,\"ks\":[null,0,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"ks\":[2,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"ks\":[1,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795478400,\"ks\":[1,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"ks\":[null,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"Created\",\"x\":\"Weather\",\"ks\":[null,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"ks\":[1,1,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"e\":1795996800,\"ks\":[1,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":1,\"k\":[1795564800,\"s\",\"i\"],\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"l\":\"Hub\",\"ks\":[1,null,null]}]}")]
    [InlineData("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"s\":[{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795564800,\"ks\":[1,null,null]}]}")]
    public void WhatCannotBeReadIsNothing(string? text) => TimelineSnapshot.Read(text).ShouldBeNull();

    [Fact]
    public void TheFormatCanBeReadStill()
    {
        // Sanity for the cases above: the smallest valid text reads.
        TimelineSnapshot.Read("{\"v\":1,\"o\":\"A-7\",\"n\":0,\"s\":[{\"id\":\"S-1\",\"s\":\"Created\"}]}")!
            .Timeline.Shipments.Single().ShouldBe(ShipmentState.Unknown("S-1"));
    }

    [Fact]
    public void TheShipmentsKeysComeBackAsWrittenAndNotAtAllFromAnEarlierVersion()
    {
        var text = "{\"v\":1,\"o\":\"A-7\",\"n\":3,\"k\":[1795564800,\"s\",\"i\"],\"s\":[" +
            "{\"id\":\"S-1\",\"s\":\"InTransit\",\"sa\":1795478400,\"e\":1795996800,\"ks\":[[1795478400,\"s\",\"h\"],0,null]}," +
            "{\"id\":\"S-2\",\"s\":\"Delivered\",\"sa\":1795564800,\"e\":1795996800,\"l\":\"Hub\",\"ks\":[1,[1795392000,\"t\",\"g\"],1]}]}";

        var read = TimelineSnapshot.Read(text)!;

        var (newest, older) = (new TimelineKey(DateTimeOffset.FromUnixTimeSeconds(1795564800), "s", "i"), new TimelineKey(DateTimeOffset.FromUnixTimeSeconds(1795478400), "s", "h"));
        read.Keys.ShouldBeSame(new[]
        {
            new ShipmentKeys("S-1", older, older, null),
            new ShipmentKeys("S-2", newest, new TimelineKey(DateTimeOffset.FromUnixTimeSeconds(1795392000), "t", "g"), newest),
        });
        TimelineSnapshot.Write(read).ShouldBe(text);
        TimelineSnapshot.Read(text.Replace(",\"ks\":[1,[1795392000,\"t\",\"g\"],1]", "", StringComparison.Ordinal))!.Keys.ShouldBeNull();
        TimelineSnapshot.Read(text.Replace(",\"l\":\"Hub\"", "", StringComparison.Ordinal)).ShouldBeNull(); // a location key, no location
    }

    [Fact]
    public void AnotherVersionIsNothing()
    {
        var text = TimelineSnapshot.Write(TimelineState.Fold(Order, [Events.Valid(OrderPlaced(Order, T0, T0.AddDays(3)))]));
        var version = $"\"v\":{TimelineSnapshot.FormatVersion}";
        text.ShouldContain(version);

        TimelineSnapshot.Read(text).ShouldNotBeNull();
        TimelineSnapshot.Read(text.Replace(version, $"\"v\":{TimelineSnapshot.FormatVersion + 1}", StringComparison.Ordinal)).ShouldBeNull();
        TimelineSnapshot.Read(text.Replace(version + ",", "", StringComparison.Ordinal)).ShouldBeNull();
    }

    [Fact]
    public void ADamagedSnapshotNeverThrows()
    {
        var damaged = History.SelectMany(history =>
        {
            var text = TimelineSnapshot.Write(TimelineState.Fold(Order, history));
            return Gen.Select(Gen.Int[0, text.Length - 1], Gen.OneOf('"', '{', '}', '[', ']', ',', ':', '1', 'x', '\\', '-'), Gen.Int[0, 2], (at, c, how) => how switch
            {
                0 => text[..at],
                1 => text[..at] + c + text[(at + 1)..],
                _ => text.Remove(at, 1),
            });
        });

        damaged.Sample(text => Should.NotThrow(() => TimelineSnapshot.Read(text)), iter: 3000);
    }

    [Fact]
    public void ATypicalOrderTakesAFewHundredBytes()
    {
        var placed = OrderPlaced(Order, T0, T0.AddDays(3), shipBy: T0.AddDays(1));
        var state = TimelineState.Fold(Order,
        [
            Events.Valid(placed),
            Events.Valid(ShipmentCreated(Order, "S-1", T0.AddHours(5), T0.AddDays(2))),
            Events.Valid(Tracking(Order, "S-1", T0.AddDays(1), "IN_TRANSIT", T0.AddDays(2))),
            Events.Valid(Tracking(Order, "S-1", T0.AddDays(2), "OUT_FOR_DELIVERY")),
        ]);

        var text = TimelineSnapshot.Write(state);
        var bytes = Encoding.UTF8.GetByteCount(text);
        TestContext.Current.TestOutputHelper?.WriteLine($"{bytes} bytes: {text}");

        bytes.ShouldBeLessThan(600); // ~90 of them the key of the scan that gave the estimate
    }
}
