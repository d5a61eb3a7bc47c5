using Google.Protobuf.WellKnownTypes;
using Proactive.Contracts.Tracker.V1;
using Proactive.Tracker.Grpc;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Tests;

/// <summary>ListWatchedOrders' request read into the list's filter, and its answer, without a host.</summary>
public sealed class WatchQueryTests
{
    [Fact]
    public void EachBadFieldIsAProblemNamingIt()
    {
        var query = WatchQuery.Parse(new ListWatchedOrdersRequest { State = "sleepy", Reason = "DRAGONS", PageSize = 201, TrendDays = 91, PageToken = "x~" });

        query.Problems.Select(p => p.Split(':')[0]).ShouldBe(["state", "reason", "page_size", "trend_days", "page_token"]);
    }

    [Fact]
    public void ValuesNoEventCouldHaveStoredAreRefusedNamingTheFieldNotSentToTheStore()
    {
        var query = WatchQuery.Parse(new ListWatchedOrdersRequest
        {
            Carrier = "CJ\0Logistics",
            Region = new string('R', 65),
            PromisedFrom = new Timestamp { Seconds = 253402300800 },
            PromisedTo = new Timestamp { Seconds = 0, Nanos = -1 },
            PageToken = "10~A\0B",
        });

        query.Problems.Select(p => p.Split(':')[0]).ShouldBe(["carrier", "region", "promised_from", "promised_to", "page_token"]);
        WatchQuery.Parse(new ListWatchedOrdersRequest { Carrier = new string('C', 129) }).Problems.Single().ShouldStartWith("carrier:");
        WatchQuery.Parse(new ListWatchedOrdersRequest { Carrier = " CJ Logistics ", Region = "KR-11" }).Filter.ShouldBe(new WatchFilter(Carrier: "CJ Logistics", Region: "KR-11"));
    }

    [Fact]
    public void AnEmptyRequestIsTheWholeListInPagesOfFifty()
    {
        var query = WatchQuery.Parse(new ListWatchedOrdersRequest());

        query.Problems.ShouldBeEmpty();
        query.Filter.ShouldBe(new WatchFilter());
        (query.PageSize, query.TrendDays).ShouldBe((WatchQuery.DefaultPageSize, WatchQuery.DefaultTrendDays));
    }

    [Fact]
    public void TheNextPageTokenIsTheLastRowShownAndReadsBackAsTheCursor()
    {
        WatchRow Row(string id, long since) => new(id, WatchRows.Late, "ETA_SLIP", "CJ", null, 1_000, null, 0.5, since);
        var counts = new WatchCounts(3, 0, [("ETA_SLIP", 3)]);

        var page = WatchQuery.Response([Row("A", 30), Row("B", 20), Row("C", 10)], 2, counts, null, null);
        var last = WatchQuery.Response([Row("C", 10)], 2, counts, null, null);
        var next = WatchQuery.Parse(new ListWatchedOrdersRequest { PageToken = page.NextPageToken, PromisedFrom = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch) });

        page.Orders.Select(o => o.OrderId).ShouldBe(["A", "B"]);
        page.Orders[0].Region.ShouldBeEmpty();
        page.Orders[0].Probability.ShouldBe(0.5);
        last.NextPageToken.ShouldBeEmpty();
        next.Filter.After.ShouldBe((20L, "B"));
        next.Filter.PromisedFrom.ShouldBe(DateTimeOffset.UnixEpoch);
    }
}
